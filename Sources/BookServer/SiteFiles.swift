import Foundation

/// Maps request paths to files of the site folder, refusing every path that would leave it.
///
/// The path is percent-decoded once; a `..` or `.` segment, a backslash or a NUL is refused before
/// any file is touched, and the file found is refused again when its real path (symbolic links
/// resolved) is not inside the site's real path.
///
/// ```swift
/// let files = SiteFiles(site: URL(fileURLWithPath: "site"))
/// try files.resolve("/02-multiscale.html")   // site/02-multiscale.html
/// try files.resolve("/../Package.swift")      // throws .outside
/// ```
public struct SiteFiles: Sendable {
    public let site: URL

    public init(site: URL) { self.site = site.standardizedFileURL }

    public enum Problem: Error, Equatable {
        /// The path leaves the site folder (or is malformed).
        case outside(String)
        /// Nothing there.
        case notFound(String)
    }

    /// The file for `path` (`/` and folders mean their `index.html`).
    public func resolve(_ path: String) throws -> URL {
        guard let decoded = path.removingPercentEncoding, decoded.hasPrefix("/"),
              !decoded.contains("\\"), !decoded.contains("\0") else { throw Problem.outside(path) }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else { throw Problem.outside(path) }
        var file = segments.reduce(site) { $0.appendingPathComponent(String($1)) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = file.appendingPathComponent("index.html")
        }
        guard FileManager.default.fileExists(atPath: file.path) else { throw Problem.notFound(path) }
        let realSite = site.resolvingSymlinksInPath().path
        guard file.resolvingSymlinksInPath().path.hasPrefix(realSite + "/") else { throw Problem.outside(path) }
        return file
    }

    /// The `Content-Type` for a file name.
    public static func contentType(of file: URL) -> String {
        switch file.pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "svg": return "image/svg+xml"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }
}
