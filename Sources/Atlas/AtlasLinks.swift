import Foundation

/// Links a chapter's `` `layer:channel` `` mentions (`` `_blocks.8:3` ``) to that channel's atlas
/// page, when the site has it (``AtlasSite`` wrote it). The site's renderer calls ``page(for:)``
/// for every inline code span in prose (``HTMLRenderer``'s `mentionLink`).
///
/// ```swift
/// let links = AtlasLinks(site: URL(fileURLWithPath: "site"))
/// links.page(for: "_blocks.8:3")   // "atlas/_blocks.8/3.html" once the atlas has it, else nil
/// ```
public struct AtlasLinks: Sendable {
    public let site: URL

    public init(site: URL) { self.site = site }

    /// The atlas's index page relative to the site's root, or nil when the site has no atlas.
    public var index: String? {
        FileManager.default.fileExists(atPath: site.appendingPathComponent(AtlasSite.indexPage).path) ? AtlasSite.indexPage : nil
    }

    /// The page of the channel `mention` names, relative to the site's root, or nil.
    public func page(for mention: String) -> String? {
        guard let colon = mention.lastIndex(of: ":"), let channel = Int(mention[mention.index(after: colon)...]),
              channel >= 0 else { return nil }
        let layer = String(mention[..<colon])
        guard !layer.isEmpty, !layer.contains("/"), !layer.contains(" "), layer != "..", layer != "." else { return nil }
        let page = AtlasSite.channelPage(layer: layer, channel: channel)
        return FileManager.default.fileExists(atPath: site.appendingPathComponent(page).path) ? page : nil
    }
}
