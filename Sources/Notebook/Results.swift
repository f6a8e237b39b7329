import Foundation

/// What running a chapter produced: per-cell results and chapter-level failures.
///
/// Stored as JSON in the cache (with the images beside it) and rendered into the chapter's page.
public struct ChapterResult: Codable, Sendable {
    /// The chapter's path relative to the project root.
    public var path: String
    public var slug: String
    /// The cache key the result was produced under.
    public var key: String
    public var quick: Bool
    /// One entry per cell of the chapter, in order.
    public var cells: [CellResult]
    /// Failures that belong to no cell (parse errors, compile errors outside cells, a crash
    /// before the first cell, launch failures).
    public var failures: [Failure]
    /// Seconds spent in `swiftc` (all attempts).
    public var compileSeconds: Double
    /// Seconds from launching the chapter program to its exit (main run).
    public var runSeconds: Double
    /// Seconds from launch to the first cell starting: the program's start-up overhead.
    public var startupSeconds: Double?

    /// Whether this result came from the cache (not stored).
    public var fromCache = false
    /// The folder holding the result's images (not stored).
    public var imageFolder: URL?

    enum CodingKeys: String, CodingKey {
        case path, slug, key, quick, cells, failures, compileSeconds, runSeconds, startupSeconds
    }

    public init(path: String, slug: String, key: String, quick: Bool, cells: [CellResult] = [],
                failures: [Failure] = [], compileSeconds: Double = 0, runSeconds: Double = 0,
                startupSeconds: Double? = nil) {
        self.path = path
        self.slug = slug
        self.key = key
        self.quick = quick
        self.cells = cells
        self.failures = failures
        self.compileSeconds = compileSeconds
        self.runSeconds = runSeconds
        self.startupSeconds = startupSeconds
    }

    /// Every failure: chapter-level ones, then each cell's, in order.
    public var allFailures: [Failure] {
        failures + cells.flatMap { cell in
            (cell.failure.map { [$0] } ?? []) + cell.checks.filter { !$0.passed }.map { check in
                Failure(kind: .check, file: path, line: check.line, message: check.message, cell: cell.index)
            }
        }
    }

    public var passed: Bool { allFailures.isEmpty }

    /// The last image the chapter showed: its thumbnail on the index page. Chapters tend to end
    /// with their best figure (and start with a baseline), so the last one represents them.
    public var thumbnailImage: ImageOutput? { cells.flatMap(\.images).last }

    /// Cell results keyed by index.
    public func cell(_ index: Int) -> CellResult? { cells.first { $0.index == index } }
}

/// What one cell produced.
public struct CellResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Ran to its end with every check true.
        case passed
        /// Failed to compile, trapped, timed out, had a false check, or (should-fail) did not fail.
        case failed
        /// A `should-fail` cell that failed as it must.
        case failedAsExpected
        /// Not run: an earlier cell failed, or the chapter did not compile.
        case notRun
        /// A `no-run` cell: shown only.
        case skipped
    }

    public var index: Int
    public var status: Status
    /// The cell's first Markdown line when it ran (to move lines after prose edits).
    public var firstLine: Int
    public var stdout: String
    public var stderr: String
    public var images: [ImageOutput]
    public var checks: [CheckOutput]
    /// The cell's run time, if it ran.
    public var seconds: Double?
    /// Why the cell failed (status `.failed`).
    public var failure: Failure?
    /// For a should-fail cell that failed as expected: how it failed.
    public var expectedFailure: Failure?

    public init(index: Int, status: Status, firstLine: Int, stdout: String = "", stderr: String = "",
                images: [ImageOutput] = [], checks: [CheckOutput] = [], seconds: Double? = nil,
                failure: Failure? = nil, expectedFailure: Failure? = nil) {
        self.index = index
        self.status = status
        self.firstLine = firstLine
        self.stdout = stdout
        self.stderr = stderr
        self.images = images
        self.checks = checks
        self.seconds = seconds
        self.failure = failure
        self.expectedFailure = expectedFailure
    }

    /// The same result with every Markdown line passed through `move` (cells moved after a
    /// prose edit) and the cell now starting at `line`.
    func relocated(to line: Int, moving move: (Int) -> Int) -> CellResult {
        var copy = self
        copy.firstLine = line
        copy.failure = failure?.moved(move)
        copy.expectedFailure = expectedFailure?.moved(move)
        copy.checks = checks.map { var c = $0; c.line = move(c.line); return c }
        return copy
    }
}

/// An image a cell showed.
public struct ImageOutput: Codable, Sendable, Equatable {
    /// File name inside the chapter's image folder (`cell-3-2.png`).
    public var file: String
    public var caption: String
    public var width: Int
    public var height: Int
    /// Images of one `show(grid:)` call share a group.
    public var group: Int?
    public var columns: Int?
}

/// A `check(…)` a cell made.
public struct CheckOutput: Codable, Sendable, Equatable {
    public var passed: Bool
    public var message: String
    public var line: Int
}
