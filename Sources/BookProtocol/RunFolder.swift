/// The names the runner and a chapter program agree on: the environment variables the runner
/// sets and the files the program writes into its run folder.
///
/// * ``events`` — the ``RunEvent`` lines.
/// * ``output(cell:_:)`` — cell K's standard output and error (`cell-K.out`, `cell-K.err`): at each
///   cell boundary the runtime points file descriptors 1 and 2 at the next cell's files, so
///   output (and a trap's message and backtrace) belongs to the cell that produced it.
/// * ``figure(cell:number:extension:)`` — the PNGs passed to `show` and the SVGs of `show(chart:)`
///   (`cell-K-N.png`, `cell-K-N.svg`).
public enum RunFolder {
    /// The events file's name.
    public static let events = "events.jsonl"

    /// Which standard stream a cell's output file holds.
    public enum Stream: String, Sendable { case out, err }

    /// `cell-K.out` or `cell-K.err`.
    public static func output(cell: Int, _ stream: Stream) -> String { "cell-\(cell).\(stream.rawValue)" }

    /// `cell-K-N.png` (or `.svg`), the N-th figure (from 1) of the program, shown by cell K.
    public static func figure(cell: Int, number: Int, extension suffix: String = "png") -> String {
        "cell-\(cell)-\(number).\(suffix)"
    }
}

/// What a chapter program is told through its environment, set by the runner and read once by
/// the runtime at start-up.
///
/// ```swift
/// let settings = RunSettings(environment: ProcessInfo.processInfo.environment)
/// ```
public struct RunSettings: Equatable, Sendable {
    /// `FVBOOK_RUN_DIR`: the run folder; nil outside a book run (a program started by hand).
    public var folder: String?
    /// `FVBOOK_QUICK=1`: quick mode, small steps and sizes.
    public var quick: Bool
    /// `FVBOOK_FAIL_CELL=K`: run only as far as the `should-fail` cell K, which then runs
    /// instead of being skipped.
    public var failCell: Int?
    /// `FVBOOK_RENDER_CACHE`: the folder of memoized renders (`.fvbook-cache/renders`); nil (or
    /// empty) turns them off.
    public var renderCache: String?
    /// `FVBOOK_RENDER_CACHE_LIMIT`: the most bytes the stored renders may take.
    public var renderCacheLimit: Int?

    public static let folderVariable = "FVBOOK_RUN_DIR"
    public static let quickVariable = "FVBOOK_QUICK"
    public static let failCellVariable = "FVBOOK_FAIL_CELL"
    public static let renderCacheVariable = "FVBOOK_RENDER_CACHE"
    public static let renderCacheLimitVariable = "FVBOOK_RENDER_CACHE_LIMIT"

    public init(folder: String? = nil, quick: Bool = false, failCell: Int? = nil, renderCache: String? = nil,
                renderCacheLimit: Int? = nil) {
        self.folder = folder
        self.quick = quick
        self.failCell = failCell
        self.renderCache = renderCache
        self.renderCacheLimit = renderCacheLimit
    }

    /// The same settings for the run of `should-fail` cell `cell` alone.
    public func failing(_ cell: Int) -> RunSettings {
        var settings = self
        settings.failCell = cell
        return settings
    }

    /// The settings in `environment` (an empty folder counts as none).
    public init(environment: [String: String]) {
        folder = environment[Self.folderVariable].flatMap { $0.isEmpty ? nil : $0 }
        quick = environment[Self.quickVariable] == "1"
        failCell = environment[Self.failCellVariable].flatMap { Int($0) }
        renderCache = environment[Self.renderCacheVariable].flatMap { $0.isEmpty ? nil : $0 }
        renderCacheLimit = environment[Self.renderCacheLimitVariable].flatMap { Int($0) }
    }

    /// The variables to set in the program's environment.
    public var environment: [String: String] {
        var variables = [Self.quickVariable: quick ? "1" : "0"]
        if let folder { variables[Self.folderVariable] = folder }
        if let failCell { variables[Self.failCellVariable] = "\(failCell)" }
        // Always set, empty when off, so a value in the runner's own environment cannot leak in.
        variables[Self.renderCacheVariable] = renderCache ?? ""
        if let renderCacheLimit { variables[Self.renderCacheLimitVariable] = "\(renderCacheLimit)" }
        return variables
    }
}
