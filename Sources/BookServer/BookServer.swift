import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Notebook

/// `fvbook serve`: the site over HTTP on loopback, re-run on every change, editable in the page.
///
/// It serves the site folder, watches the chapters and data folders, and runs a changed chapter
/// again through the same ``BookBuilder`` as `fvbook run` (so the result cache and memoized
/// renders make a late-cell edit quick); pages follow runs over Server-Sent Events (the running
/// cell, each render's steps) and reload when their chapter is done. Served pages get an Edit
/// button on each code cell (``EditorScript``); Run writes the cell's lines of the Markdown file
/// and re-runs. Every request passes ``RequestGuard`` (Host, Origin, token for writes); files are
/// served only from inside the site (``SiteFiles``) and written only into chapters of the book.
///
/// ```swift
/// let server = BookServer(settings: settings, toolchain: toolchain, host: "127.0.0.1", port: 8000)
/// try await server.run { url in print("serving \(url)") }
/// ```
public final class BookServer: Sendable {
    public let settings: BuildSettings
    public let host: String
    public let port: Int
    let requestGuard: RequestGuard
    let files: SiteFiles
    let events = LiveEvents()
    let queue: BuildQueue
    let watcher: FolderWatcher

    /// - Parameters:
    ///   - terminal: also told every build event (the CLI prints them).
    ///   - token: the write token; a fresh random one by default.
    public init(settings: BuildSettings, toolchain: Toolchain, host: String = "127.0.0.1", port: Int = 8000,
                token: String = RequestGuard.makeToken(), terminal: @escaping (ProgressEvent) -> Void = { _ in }) {
        self.settings = settings
        self.host = host
        self.port = port
        requestGuard = RequestGuard(host: host, port: port, token: token)
        files = SiteFiles(site: settings.site)
        let events = self.events
        queue = BuildQueue(events: events, terminal: terminal) { force, progress in
            var settings = settings
            settings.force = settings.force || force
            return BookBuilder(settings: settings, toolchain: toolchain, progress: progress)
        }
        let data = settings.root.appendingPathComponent("data")
        let chapters = settings.chapters.standardizedFileURL
        let queue = self.queue
        watcher = FolderWatcher(folders: [chapters, data]) { changed in
            for file in changed {
                if file.deletingLastPathComponent().path == chapters.path {
                    guard file.pathExtension == "md", file.lastPathComponent != "index.md" else { continue }
                    queue.enqueue(.run(slug: file.deletingPathExtension().lastPathComponent, force: false))
                } else {
                    // Data feeds every chapter and is not in the result cache's key: re-run the
                    // chapters someone is looking at.
                    for page in events.openPages.sorted() where page != "index" { queue.enqueue(.run(slug: page, force: true)) }
                }
            }
        }
        let watcher = self.watcher
        queue.wrote = { watcher.acknowledge($0) }
    }

    /// Serves until the process ends. `ready` gets the site's address once the socket listens.
    ///
    /// First every page is brought up to date in the background, in book order (unchanged
    /// chapters come from the cache in milliseconds); what a reader does goes before that.
    public func run(ready: @escaping @Sendable (URL) -> Void = { _ in }) async throws {
        let book = try BookParser.parse(folder: settings.chapters, root: settings.root)
        for chapter in book.chapters { queue.enqueue(.run(slug: chapter.slug, force: false), urgent: false) }
        queue.start()
        watcher.start()
        var logger = Logger(label: "fvbook.serve")
        logger.logLevel = .warning
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { [self] request, _ in await respond(to: request) },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "fvbook"),
            onServerRunning: { [host] channel in
                let port = channel.localAddress?.port ?? 0
                let name = host.contains(":") ? "[\(host)]" : host
                ready(URL(string: "http://\(name):\(port)/")!)
            },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    static let tokenField = HTTPField.Name("X-FVBook-Token")!
    static let hostField = HTTPField.Name("Host")!

    func respond(to request: Request) async -> Response {
        let write = request.method != .get && request.method != .head
        let extraHosts = request.headers[values: Self.hostField].count
        if let refusal = requestGuard.refusal(write: write, authority: request.head.authority, hostFields: 1 + extraHosts,
                                              origin: request.headers[.origin], token: request.headers[Self.tokenField]) {
            return Self.text(.forbidden, refusal.description)
        }
        let target = request.head.path ?? "/"
        let path = String(target.prefix { $0 != "?" })
        switch (request.method, path) {
        case (.get, "/_fvbook/events"):
            let page = request.uri.queryParameters["page"].map(String.init) ?? "index"
            return liveEvents(page: page)
        case (.post, "/_fvbook/edit"):
            return await edit(request)
        case (.get, _), (.head, _):
            return file(at: path)
        default:
            return Self.text(.methodNotAllowed, "method \(request.method) not allowed on \(path)")
        }
    }

    /// A file of the site; pages get the editor.
    func file(at path: String) -> Response {
        let url: URL
        do {
            url = try files.resolve(path)
        } catch SiteFiles.Problem.outside {
            return Self.text(.forbidden, "refused: \(path) leaves the site folder")
        } catch {
            return Self.text(.notFound, "not found: \(path)")
        }
        guard var data = FileManager.default.contents(atPath: url.path) else { return Self.text(.notFound, "not found: \(path)") }
        if url.pathExtension == "html", let page = String(data: data, encoding: .utf8) {
            let slug = url.deletingPathExtension().lastPathComponent
            let inSite = url.deletingLastPathComponent().standardizedFileURL.path == files.site.path
            let tags = EditorScript.tags(token: requestGuard.token, page: inSite ? slug : "other")
            if let end = page.range(of: "</body>", options: .backwards) {
                data = Data((page[..<end.lowerBound] + tags + page[end.lowerBound...]).utf8)
            }
        }
        return Response(status: .ok,
                        headers: [.contentType: SiteFiles.contentType(of: url), .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A Server-Sent Events stream of ``LiveEvent``s for a page showing `page`.
    func liveEvents(page: String) -> Response {
        let (id, stream) = events.subscribe(page: page)
        let events = self.events
        return Response(status: .ok,
                        headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
                            defer { events.unsubscribe(id) }
                            try await writer.write(ByteBuffer(string: ": fvbook live events\n\n"))
                            for await message in stream {
                                try await writer.write(ByteBuffer(string: "data: \(message)\n\n"))
                            }
                            try await writer.finish(nil)
                        })
    }

    /// Writes an edited cell into its chapter (after any run of it in progress), then re-runs it.
    func edit(_ request: Request) async -> Response {
        var request = request
        guard let body = try? await request.collectBody(upTo: 1 << 20),
              let edit = try? JSONDecoder().decode(CellEditRequest.self, from: Data(buffer: body)) else {
            return Self.text(.badRequest, ServeError.badRequest("the body must be JSON {chapter, cell, base, code} of at most 1 MiB").description)
        }
        guard chapterFile(edit.chapter) != nil else {
            return Self.text(.forbidden, ServeError.notAChapter(edit.chapter).description)
        }
        let result = await withCheckedContinuation { continuation in
            queue.enqueue(.edit(edit, reply: { continuation.resume(returning: $0) }))
        }
        switch result {
        case let .success(slug):
            return Self.text(.ok, "saved \(edit.chapter) cell \(edit.cell); running \(slug)")
        case let .failure(error as ServeError):
            return Self.text(.forbidden, error.description)
        case let .failure(error as CellEditError):
            return Self.text(.conflict, error.description)
        case let .failure(error):
            return Self.text(.internalServerError, "\(error)")
        }
    }

    /// The file of `path` (a chapter's path as pages name it: relative to the project root, or
    /// absolute for a chapters folder outside it) when it is a Markdown file directly in the
    /// chapters folder, symbolic links resolved; nil for anything else.
    func chapterFile(_ path: String) -> URL? {
        guard !path.split(separator: "/").contains(".."), path.hasSuffix(".md"), !path.contains("\0") else { return nil }
        let given = path.hasPrefix("/") ? URL(fileURLWithPath: path) : settings.root.appendingPathComponent(path)
        let file = given.standardizedFileURL.resolvingSymlinksInPath()
        guard file.deletingLastPathComponent().path == settings.chapters.standardizedFileURL.resolvingSymlinksInPath().path,
              FolderWatcher.stamp(file.path) != nil else { return nil }
        return file
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
