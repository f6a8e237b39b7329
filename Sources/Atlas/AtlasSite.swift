import Foundation
import Notebook

/// The atlas's pages in the site (`fvbook atlas --merge DIR`): `atlas/index.html` listing the
/// layers, `atlas/LAYER.html` with a grid of every channel's thumbnail (sortable by channel,
/// activation ratio and robustness, in plain inline JavaScript), and `atlas/LAYER/C.html` per
/// channel with the visualization at full size, its strongest natural patches, its metrics and
/// links to the neighbouring channels and layers. Images are copied beside the pages
/// (`atlas/LAYER/C/…png`) and load lazily.
///
/// Everything is built in a temporary folder and swapped in for `site/atlas` whole, so the
/// site has the old atlas or the new one, never a mixture. The pages use the book's stylesheet
/// and work from `file://`.
///
/// ```swift
/// let summary = try AtlasSite(atlas: URL(fileURLWithPath: ".build/atlas"),
///                             site: URL(fileURLWithPath: "site")).write()
/// ```
public struct AtlasSite {
    public let store: AtlasStore
    public let site: URL

    public init(atlas: URL, site: URL) {
        store = AtlasStore(root: atlas)
        self.site = site
    }

    /// The atlas's index page, relative to the site's root.
    public static let indexPage = "atlas/index.html"

    /// The channel page of `layer:channel`, relative to the site's root.
    public static func channelPage(layer: String, channel: Int) -> String { "atlas/\(layer)/\(channel).html" }

    /// A layer of the merged atlas in numbers.
    public struct LayerSummary: Equatable, Sendable {
        public let layer: String
        public let channels: Int
        public let medianActivationRatio: Float?
        public let medianRobustness: Float?
    }

    /// Writes the pages; returns each layer's summary, in layer order.
    /// - Throws: ``AtlasError/incomplete(folder:missing:)`` listing the channels no shard has
    ///   finished; ``AtlasError/unreadable(_:_:)`` for a missing or corrupt file.
    @discardableResult
    public func write() throws -> [LayerSummary] {
        let manifest = try store.manifest()
        let layers = manifest.layers.keys.sorted(by: Self.layerOrder)
        let missing = layers.flatMap { layer in
            (0..<manifest.layers[layer]!).filter { !store.isFinished(layer: layer, channel: $0) }.map { "\(layer):\($0)" }
        }
        guard missing.isEmpty else { throw AtlasError.incomplete(folder: store.root.path, missing: missing) }
        let records = try layers.map { layer in try (0..<manifest.layers[layer]!).map { try store.record(layer: layer, channel: $0) } }

        let target = site.appendingPathComponent("atlas")
        try AtomicFiles.createFolder(site)
        let staging = try AtomicFiles.temporaryFolder(beside: target)
        do {
            try AtomicFiles.write(index(layers: layers, records: records, manifest: manifest),
                                  to: staging.appendingPathComponent("index.html"))
            for (l, layer) in layers.enumerated() {
                try AtomicFiles.write(grid(layer: layer, records: records[l], layers: layers),
                                      to: staging.appendingPathComponent("\(layer).html"))
                for record in records[l] {
                    let images = staging.appendingPathComponent(layer).appendingPathComponent("\(record.channel)")
                    try AtomicFiles.createFolder(images)
                    let source = store.folder(layer: layer, channel: record.channel)
                    for name in ["visualization.png", "thumbnail.png"] + record.patches.indices.map({ "patch-\($0 + 1).png" }) {
                        do {
                            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: images.appendingPathComponent(name))
                        } catch {
                            throw AtlasError.unreadable(source.appendingPathComponent(name).path, "cannot copy it into the site")
                        }
                    }
                    try AtomicFiles.write(channelPage(record, in: records[l], layers: layers, channelsOf: manifest.layers,
                                                      recipe: manifest.recipe),
                                          to: staging.appendingPathComponent(layer).appendingPathComponent("\(record.channel).html"))
                }
            }
            try AtomicFiles.replace(target, with: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        return zip(layers, records).map { Self.summary($0, $1) }
    }

    /// `_blocks.2` before `_blocks.10`: names compared with their numbers as numbers.
    static func layerOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    static func summary(_ layer: String, _ records: [ChannelRecord]) -> LayerSummary {
        LayerSummary(layer: layer, channels: records.count, medianActivationRatio: median(records.compactMap(\.metrics.activationRatio)),
                     medianRobustness: median(records.map(\.metrics.robustness)))
    }

    // MARK: - Pages

    private func index(layers: [String], records: [[ChannelRecord]], manifest: AtlasManifest) -> String {
        let recipe = manifest.recipe
        var body = "<h1>Atlas</h1>\n<p class=\"intro\">Every channel of \(layers.count) layer\(layers.count == 1 ? "" : "s") of <code>\(escapeHTML(manifest.model))</code>, "
            + "each rendered by <code>fvbook atlas</code>: \(recipe.steps) steps at \(recipe.size) px, \(recipe.batch) channels a batch, "
            + "with its strongest patches from the book's photos.</p>\n<table class=\"atlas-layers\">\n"
            + "<tr><th>layer</th><th>channels</th><th>median activation ratio</th><th>median robustness</th></tr>\n"
        for (layer, rs) in zip(layers, records) {
            let summary = Self.summary(layer, rs)
            body += "<tr><td><a href=\"\(escapeHTML(layer)).html\"><code>\(escapeHTML(layer))</code></a></td><td>\(rs.count)</td>"
                + "<td>\(Self.format(summary.medianActivationRatio))</td><td>\(Self.format(summary.medianRobustness))</td></tr>\n"
        }
        body += "</table>\n"
        return document(title: "Atlas", depth: 1, crumbs: [], body: body)
    }

    private func grid(layer: String, records: [ChannelRecord], layers: [String]) -> String {
        let l = layers.firstIndex(of: layer)!
        var body = "<h1>Atlas: <code>\(escapeHTML(layer))</code></h1>\n"
        let summary = Self.summary(layer, records)
        body += "<p class=\"meta\">\(records.count) channels · median activation ratio \(Self.format(summary.medianActivationRatio)) · "
            + "median robustness \(Self.format(summary.medianRobustness))</p>\n"
        body += layerLinks(l, layers: layers, page: { "\($0).html" })
        body += "<p class=\"atlas-sort\">Sort by <button type=\"button\" data-key=\"channel\" aria-pressed=\"true\">channel</button> "
            + "<button type=\"button\" data-key=\"ratio\">activation ratio</button> "
            + "<button type=\"button\" data-key=\"robustness\">robustness</button></p>\n"
        body += "<ol class=\"atlas-grid\" id=\"grid\">\n"
        for r in records {
            let ratio = r.metrics.activationRatio ?? 0
            body += "<li data-channel=\"\(r.channel)\" data-ratio=\"\(ratio)\" data-robustness=\"\(r.metrics.robustness)\">"
                + "<a href=\"\(escapeHTML(layer))/\(r.channel).html\" title=\"\(escapeHTML(layer)):\(r.channel) · ratio \(Self.format(r.metrics.activationRatio)) · robustness \(Self.format(r.metrics.robustness))\">"
                + "<img src=\"\(escapeHTML(layer))/\(r.channel)/thumbnail.png\" loading=\"lazy\" width=\"64\" height=\"64\" alt=\"channel \(r.channel)\">"
                + "<span>\(r.channel)</span></a></li>\n"
        }
        body += "</ol>\n<script>\n\(Self.sortScript)</script>\n"
        return document(title: "Atlas: \(layer)", depth: 1, crumbs: [("index.html", "Atlas")], body: body)
    }

    private func channelPage(_ r: ChannelRecord, in records: [ChannelRecord], layers: [String], channelsOf: [String: Int],
                             recipe: AtlasRecipe) -> String {
        let (layer, c) = (r.layer, r.channel)
        let l = layers.firstIndex(of: layer)!
        let m = r.metrics
        var body = "<h1><code>\(escapeHTML(layer)):\(c)</code></h1>\n"
        var nav = "<nav class=\"pager atlas-pager\" aria-label=\"neighbouring channels\">"
        if c > 0 { nav += "<a class=\"previous\" href=\"\(c - 1).html\" rel=\"prev\"><span class=\"label\">← channel</span>\(c - 1)</a>" }
        if c + 1 < records.count { nav += "<a class=\"next\" href=\"\(c + 1).html\" rel=\"next\"><span class=\"label\">channel →</span>\(c + 1)</a>" }
        body += nav + "</nav>\n"
        body += layerLinks(l, layers: layers) { other in "../\(other)/\(min(c, channelsOf[other]! - 1)).html" }
        body += "<div class=\"atlas-channel\">\n<figure><img src=\"\(c)/visualization.png\" loading=\"lazy\" width=\"\(max(recipe.size, 256))\" "
            + "height=\"\(max(recipe.size, 256))\" alt=\"feature visualization of \(escapeHTML(layer)) channel \(c)\">"
            + "<figcaption>maximizes the mean of channel \(c) · \(recipe.steps) steps at \(recipe.size) px</figcaption></figure>\n"
        body += "<table class=\"atlas-metrics\">\n"
        let rows: [(String, String)] = [
            ("activation", Self.format(m.activation)), ("best natural patch", Self.format(m.naturalBest)),
            ("activation ratio", Self.format(m.activationRatio)), ("robustness", Self.format(m.robustness)),
            ("high-frequency share", Self.format(m.highFrequencyShare)),
        ]
        for (name, value) in rows { body += "<tr><th>\(name)</th><td>\(value)</td></tr>\n" }
        body += "</table>\n</div>\n"
        if !r.patches.isEmpty {
            body += "<h2>Strongest natural patches</h2>\n<p class=\"meta\">Crops of the book's photos around the positions where the channel "
                + "responds most (its activation there: the peak, not the mean over a whole photo crop as in the ratio).</p>\n<div class=\"figures\">\n"
            for (k, p) in r.patches.enumerated() {
                body += "<figure class=\"atlas-patch\"><img src=\"\(c)/patch-\(k + 1).png\" loading=\"lazy\" width=\"128\" height=\"128\" alt=\"patch of \(escapeHTML(p.photo))\">"
                    + "<figcaption>\(escapeHTML(p.photo)) at (\(p.left), \(p.top)), \(p.side) px · peak \(Self.format(p.activation))</figcaption></figure>\n"
            }
            body += "</div>\n"
        }
        return document(title: "\(layer):\(c) — Atlas", depth: 2,
                        crumbs: [("../index.html", "Atlas"), ("../\(layer).html", layer)], body: body)
    }

    /// Links to the previous and next layer (`page` maps a layer to its URL).
    private func layerLinks(_ l: Int, layers: [String], page: (String) -> String) -> String {
        var html = "<p class=\"atlas-layers-nav\">"
        if l > 0 { html += "<a href=\"\(escapeHTML(page(layers[l - 1])))\">← layer <code>\(escapeHTML(layers[l - 1]))</code></a> " }
        if l + 1 < layers.count { html += "<a href=\"\(escapeHTML(page(layers[l + 1])))\">layer <code>\(escapeHTML(layers[l + 1]))</code> →</a>" }
        return html + "</p>\n"
    }

    private func document(title: String, depth: Int, crumbs: [(String, String)], body: String) -> String {
        let up = String(repeating: "../", count: depth)
        let trail = ([("\(up)index.html", "Book")] + crumbs).map { "<a href=\"\(escapeHTML($0.0))\">\(escapeHTML($0.1))</a>" }
            .joined(separator: " <span aria-hidden=\"true\">/</span> ")
        return htmlPage(title: title, css: "\(Style.css)\n\(Self.css)", bodyClass: "atlas", body: """
            <main>
            <article class="page">
            <nav class="atlas-crumbs" aria-label="breadcrumbs">\(trail)</nav>
            \(body)</article>
            </main>
            """)
    }

    static func median(_ values: [Float]) -> Float? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    public static func format(_ x: Float?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }

    /// The atlas pages' additions to the book's stylesheet.
    static let css = """
        .atlas .page { max-width: 64em; }
        .atlas-crumbs { font-size: .85rem; margin: 0 0 1.2rem; color: var(--faint); }
        .atlas-grid { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(72px, 1fr)); gap: .5rem; }
        .atlas-grid a { display: block; text-align: center; font-size: .72rem; color: var(--muted); text-decoration: none; font-variant-numeric: tabular-nums; }
        .atlas-grid img { display: block; width: 100%; height: auto; aspect-ratio: 1; border-radius: 4px; background: var(--code-bg); }
        .atlas-grid a:hover img { outline: 2px solid var(--accent); }
        .atlas-sort button { font: inherit; font-size: .85rem; padding: .15rem .6rem; border: 1px solid var(--border); border-radius: 999px;
          background: var(--bg); color: var(--fg); cursor: pointer; }
        .atlas-sort button[aria-pressed="true"] { background: var(--accent-soft); border-color: var(--accent); }
        .atlas-channel { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
        .atlas-channel figure { flex: 0 0 auto; width: 256px; }
        .atlas-channel figure img { border-radius: 6px; box-shadow: var(--shadow); }
        .atlas-metrics th { text-align: left; font-weight: 500; color: var(--muted); }
        .atlas-metrics td { font-variant-numeric: tabular-nums; text-align: right; }
        .atlas-patch { width: 128px; }
        .atlas-patch img { border-radius: 4px; }
        .atlas-pager { margin: 0 0 .6rem; padding: 0; border: 0; }
        .atlas-layers code { white-space: nowrap; }
        @media (max-width: 600px) {
          .atlas-layers th, .atlas-layers td { padding: .35em .45em; }
          .atlas-layers th { font-size: .85em; }
        }
        """

    /// Sorts the grid's items by a data attribute (descending for the metrics), in place.
    static let sortScript = """
        (function () {
          var grid = document.getElementById('grid');
          var buttons = document.querySelectorAll('.atlas-sort button');
          buttons.forEach(function (button) {
            button.addEventListener('click', function () {
              var key = button.dataset.key;
              var items = Array.prototype.slice.call(grid.children);
              items.sort(function (a, b) {
                return key === 'channel' ? a.dataset.channel - b.dataset.channel
                                         : b.dataset[key] - a.dataset[key] || a.dataset.channel - b.dataset.channel;
              });
              items.forEach(function (item) { grid.appendChild(item); });
              buttons.forEach(function (other) { other.setAttribute('aria-pressed', String(other === button)); });
            });
          });
        })();

        """
}
