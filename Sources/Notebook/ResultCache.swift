import Foundation
import RenderCache

/// What besides a chapter's own cells decides its results; any change re-runs every chapter.
public struct CacheContext: Sendable, Equatable {
    /// Bumped when the runner's output format or semantics change.
    public static let runnerVersion = "fvbook-runner-1"
    /// Identifies the engine build: size and modification time of the chapter library.
    public var engine: String
    /// Identifies the model weights: path and size (or "none").
    public var weights: String
    /// The compiler that builds chapter programs.
    public var compiler: String
    public var quick: Bool
    /// The default per-chapter time budget.
    public var defaultTimeout: Double
    /// The machine code the programs compute on (``BuildSettings/machineCode``).
    public var machineCode: String

    public init(engine: String, weights: String, compiler: String, quick: Bool, defaultTimeout: Double,
                machineCode: String = "") {
        self.engine = engine
        self.weights = weights
        self.compiler = compiler
        self.quick = quick
        self.defaultTimeout = defaultTimeout
        self.machineCode = machineCode
    }

    /// A fingerprint for a weights file: its path and size.
    public static func weightsFingerprint(_ url: URL?) -> String {
        guard let url, let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber else {
            return "none"
        }
        return "\(url.path):\(size)"
    }
}

/// Chapter results by content hash: `FOLDER/SLUG/result.json` plus the images beside it.
///
/// The key covers the chapter's path, its cells' code and attributes (not their line numbers,
/// nor the prose), and the ``CacheContext``. So an unchanged chapter is not re-run, a prose-only
/// edit re-renders the stored results (their lines moved to where the cells are now), and any
/// code or attribute edit runs the chapter again. Quick and full results live in different folders.
public struct ResultCache: Sendable {
    public var folder: URL
    public var context: CacheContext

    public init(folder: URL, context: CacheContext) {
        self.folder = folder
        self.context = context
    }

    /// The cache key for `chapter`.
    public func key(for chapter: Chapter) -> String {
        var text = "\(CacheContext.runnerVersion)\n\(context.engine)\n\(context.weights)\n\(context.compiler)\n"
        text += "quick=\(context.quick) timeout=\(context.defaultTimeout)\nmachine=\(context.machineCode)\n\(chapter.path)\n"
        for cell in chapter.cells {
            let a = cell.attributes
            text += "cell \(cell.index) hidden=\(a.hidden) no-run=\(a.noRun) should-fail=\(a.shouldFail) "
            text += "timeout=\(a.timeout.map { "\($0)" } ?? "-") column=\(cell.columnOffset) bytes=\(cell.code.utf8.count)\n"
            text += cell.code
        }
        return SHA256.hex(of: Array(text.utf8))
    }

    private func entry(_ chapter: Chapter) -> URL { folder.appendingPathComponent(chapter.slug) }

    /// The stored result for `chapter` if its key matches, rebased onto the chapter's current lines.
    public func load(_ chapter: Chapter) -> ChapterResult? {
        let file = entry(chapter).appendingPathComponent("result.json")
        guard let data = FileManager.default.contents(atPath: file.path),
              var result = try? JSONDecoder().decode(ChapterResult.self, from: data),
              result.key == key(for: chapter), result.cells.count == chapter.cells.count else { return nil }
        // A stored line moves with the cell that held it when the chapter ran (a trap inside a
        // function from an earlier cell names that cell's line).
        let shifts = zip(result.cells, chapter.cells).map { (old: $0.firstLine, delta: $1.firstLine - $0.firstLine) }
        let move: (Int) -> Int = { line in line + (shifts.last { $0.old <= line }?.delta ?? 0) }
        for (position, cell) in chapter.cells.enumerated() {
            result.cells[position] = result.cells[position].relocated(to: cell.firstLine, moving: move)
        }
        result.failures = result.failures.map { $0.moved(move) }
        result.fromCache = true
        result.imageFolder = entry(chapter).appendingPathComponent("images")
        return result
    }

    /// Stores `result` with its images (copied from their run folders), replacing the old entry
    /// in one step. Returns the result pointing at the stored images.
    public func store(_ result: ChapterResult, images: [(source: URL, name: String)], for chapter: Chapter) throws -> ChapterResult {
        let target = entry(chapter)
        try AtomicFiles.createFolder(folder)
        // One step for Ctrl-C too: the entry is the old one or the new one, and no staging folder stays.
        try Interruption.critical {
            let staging = try AtomicFiles.temporaryFolder(beside: target)
            do {
                let imageFolder = staging.appendingPathComponent("images")
                try FileManager.default.createDirectory(at: imageFolder, withIntermediateDirectories: true)
                for image in images {
                    try FileManager.default.copyItem(at: image.source, to: imageFolder.appendingPathComponent(image.name))
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(result).write(to: staging.appendingPathComponent("result.json"))
                try AtomicFiles.replace(target, with: staging)
            } catch {
                try? FileManager.default.removeItem(at: staging)
                throw error
            }
        }
        var stored = result
        stored.imageFolder = target.appendingPathComponent("images")
        return stored
    }
}
