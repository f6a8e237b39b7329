import BookProtocol
import Foundation

/// The result of building (some of) a book.
public struct BuildReport: Sendable {
    public var book: Book
    /// Results of the chapters this build ran or took from the cache, in book order.
    public var results: [ChapterResult]

    public var passed: [ChapterResult] { results.filter(\.passed) }
    public var failed: [ChapterResult] { results.filter { !$0.passed } }

    /// One line per failure, `file:line:col: kind: message`, in book order.
    public var failureLines: [String] { failed.flatMap(\.allFailures).map(\.description) }

    /// `N passed, N failed`.
    public var summary: String { "\(passed.count) passed, \(failed.count) failed" }
}

/// Runs the passes over a book: parse → (cache) → generate → compile → run → render.
///
/// Every chapter runs even when one fails; failures are results. Site pages and images are
/// replaced only once a chapter's run has finished, each by an atomic rename. One build at a time
/// writes a site (``BuildLock``), and Ctrl-C leaves no half-written file (``Interruption``).
///
/// ```swift
/// let builder = BookBuilder(settings: BuildSettings(root: root, quick: true), toolchain: toolchain)
/// let report = try builder.build()
/// print(report.summary)   // "6 passed, 0 failed"
/// ```
public final class BookBuilder {
    public let settings: BuildSettings
    public let toolchain: Toolchain
    public let renderer: Renderer
    public let cache: ResultCache
    private let progress: (ProgressEvent) -> Void

    public init(settings: BuildSettings, toolchain: Toolchain, renderer: Renderer = HTMLRenderer(),
                progress: @escaping (ProgressEvent) -> Void = { _ in }) {
        self.settings = settings
        self.toolchain = toolchain
        self.renderer = renderer
        self.progress = progress
        let context = CacheContext(engine: toolchain.engineFingerprint, weights: CacheContext.weightsFingerprint(settings.weights),
                                   compiler: toolchain.swiftc.path, quick: settings.quick, defaultTimeout: settings.defaultTimeout,
                                   machineCode: settings.machineCode)
        cache = ResultCache(folder: settings.cache, context: context)
    }

    /// The parse and cross-reference passes over the settings' chapters folder.
    public func loadBook() throws -> Book {
        try BookParser.parse(folder: settings.chapters, root: settings.root).checkingCrossReferences()
    }

    /// Runs every chapter (or takes it from the cache) and renders every page and the index.
    public func build() throws -> BuildReport {
        let book = try loadBook()
        let lock = try lockFolders()
        defer { lock.release() }
        var results: [ChapterResult] = []
        for (position, chapter) in book.chapters.enumerated() {
            progress(.chapterStarted(chapter, position: position + 1, of: book.chapters.count))
            let result = self.result(for: chapter)
            progress(.chapterFinished(result))
            results.append(result)
        }
        try renderer.render(book, results: Dictionary(uniqueKeysWithValues: results.map { ($0.slug, $0) }),
                            pages: book.chapters.map(\.slug), into: settings.site)
        return BuildReport(book: book, results: results)
    }

    /// Runs one chapter (path relative to the root, file name, or slug) and renders its page and
    /// the index; other chapters' cached results feed the index.
    ///
    /// - Throws: ``NotebookError/unknownChapter(_:available:)`` when the book has no such chapter.
    public func run(chapterNamed name: String) throws -> BuildReport {
        let book = try loadBook()
        let wanted = (name as NSString).lastPathComponent
        let slug = wanted.hasSuffix(".md") ? String(wanted.dropLast(3)) : wanted
        guard let position = book.chapters.firstIndex(where: { $0.slug == slug }) else {
            throw NotebookError.unknownChapter(name, available: book.chapters.map(\.path))
        }
        let chapter = book.chapters[position]
        let lock = try lockFolders()
        defer { lock.release() }
        progress(.chapterStarted(chapter, position: 1, of: 1))
        let result = self.result(for: chapter)
        progress(.chapterFinished(result))
        var known: [String: ChapterResult] = [:]
        for other in book.chapters where other.slug != chapter.slug {
            if let cached = cache.load(other) { known[other.slug] = cached }
        }
        known[chapter.slug] = result
        try renderer.render(book, results: known, pages: [chapter.slug], into: settings.site)
        return BuildReport(book: book, results: [result])
    }

    /// Makes this build the only one writing its site, cache and scratch folders (another one
    /// waits, see ``BuildLock``) and removes what
    /// a killed build may have left half-done.
    ///
    /// - Throws: ``NotebookError/cannotWrite(_:_:)`` naming a folder that cannot be created —
    ///   before any chapter runs.
    private func lockFolders() throws -> BuildLock {
        let lock = try BuildLock(folders: [settings.site, settings.cache, settings.work]) { [progress] message in
            progress(.waiting(message))
        }
        AtomicFiles.sweepTemporaries(in: settings.site)
        AtomicFiles.sweepTemporaries(in: settings.cache)
        return lock
    }

    /// What chapter programs are told at start-up: quick mode and the memoized-render store.
    private var runSettings: RunSettings {
        RunSettings(quick: settings.quick, renderCache: settings.renderCache?.path,
                    renderCacheLimit: settings.renderCacheLimit)
    }

    /// One chapter's result: from the cache when current (and not forced), else compiled and run.
    public func result(for chapter: Chapter) -> ChapterResult {
        let key = cache.key(for: chapter)
        var result = ChapterResult(path: chapter.path, slug: chapter.slug, key: key, quick: settings.quick)
        // Before the cache: a prose problem (a broken link) leaves the cells, and so the key, alone.
        guard chapter.issues.isEmpty else {
            result.cells = ChapterRunner.notRunCells(chapter)
            result.failures = chapter.issues
            return result
        }
        if !settings.force, let cached = cache.load(chapter) { return cached }
        let work = settings.work.appendingPathComponent(chapter.slug)
        let compiled = ChapterCompiler.compile(chapter, toolchain: toolchain, work: work)
        result.compileSeconds = compiled.seconds
        progress(.compiled(chapter, seconds: compiled.seconds, succeeded: compiled.executable != nil))
        var images: [(source: URL, name: String)] = []
        if let executable = compiled.executable {
            let output = ChapterRunner.run(chapter, compiled: compiled, executable: executable, root: settings.root,
                                           work: work, settings: runSettings,
                                           timeout: chapter.timeout(default: settings.defaultTimeout), progress: progress)
            result.cells = output.cells
            result.failures = output.failures
            result.runSeconds = output.seconds
            result.startupSeconds = output.startup
            images = output.images
        } else {
            result.cells = chapter.cells.map { cell in
                if !cell.attributes.runs { return CellResult(index: cell.index, status: .skipped, firstLine: cell.firstLine) }
                if let expected = compiled.expectedFailures[cell.index] {
                    return CellResult(index: cell.index, status: .failedAsExpected, firstLine: cell.firstLine, expectedFailure: expected)
                }
                if let failure = compiled.failures.first(where: { $0.cell == cell.index }) {
                    return CellResult(index: cell.index, status: .failed, firstLine: cell.firstLine, failure: failure)
                }
                return CellResult(index: cell.index, status: .notRun, firstLine: cell.firstLine)
            }
            result.failures = compiled.failures.filter { $0.cell == nil }
        }
        // Results that depend on the machine's state (time-outs, launch problems) are not kept.
        let transient = result.allFailures.contains { $0.kind == .timeout || $0.kind == .runner }
        if !transient, let stored = try? cache.store(result, images: images, for: chapter) {
            return stored
        }
        // Not cached: keep the images in a folder of their own for rendering.
        if !images.isEmpty {
            let folder = work.appendingPathComponent("images")
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for image in images { try? FileManager.default.copyItem(at: image.source, to: folder.appendingPathComponent(image.name)) }
            result.imageFolder = folder
        }
        return result
    }
}
