import Foundation
import RenderCache

/// Where a build reads and writes, and how it runs. Passed down from the CLI (or a test); the
/// pipeline reads no environment of its own.
public struct BuildSettings: Sendable {
    /// The project root: chapter programs run here and chapter paths are relative to it.
    public var root: URL
    /// The chapters folder (`chapters/`).
    public var chapters: URL
    /// The site folder (`site/`, or `.build/site-quick` in quick mode).
    public var site: URL
    /// The cache folder for this mode (`.fvbook-cache/full` or `.fvbook-cache/quick`).
    public var cache: URL
    /// Scratch space for generated programs and runs (`.fvbook-work/…`).
    public var work: URL
    /// Quick mode: `FVBOOK_QUICK=1` for the chapter programs, separate cache and site.
    public var quick: Bool
    /// Run every chapter even when its cached result is current.
    public var force: Bool
    /// Seconds a chapter may run unless a cell says `timeout=`.
    public var defaultTimeout: Double
    /// The model weights file, for the cache key (its path and size).
    public var weights: URL?
    /// The memoized-render store chapter programs use (`.fvbook-cache/renders`, beside ``cache``),
    /// or nil for none.
    public var renderCache: URL?
    /// The most bytes the render store may hold.
    public var renderCacheLimit: Int
    /// The machine code the chapter programs compute on (the CLI passes the engine's
    /// `KernelPath.fingerprint`: CPU, kernel build, OpenBLAS core, threads), part of every cached
    /// result's key: another OpenBLAS core gives other bits, so its results are not reused.
    public var machineCode: String

    /// The site folder relative to the root: `site`, or `.build/site-quick` in quick mode (whose
    /// results never touch the committed site).
    public static func defaultSite(quick: Bool) -> String { quick ? ".build/site-quick" : "site" }

    /// Settings with the conventional folders under `root`; any of them can be overridden.
    public init(root: URL, quick: Bool = false, force: Bool = false, chapters: URL? = nil, site: URL? = nil,
                cache: URL? = nil, work: URL? = nil, defaultTimeout: Double = 600, weights: URL? = nil,
                renderCache: Bool = true, renderCacheLimit: Int = RenderStore.defaultLimit, machineCode: String = "") {
        let mode = quick ? "quick" : "full"
        self.root = root.standardizedFileURL
        self.quick = quick
        self.force = force
        self.chapters = chapters ?? root.appendingPathComponent("chapters")
        self.site = site ?? root.appendingPathComponent(Self.defaultSite(quick: quick))
        self.cache = cache ?? root.appendingPathComponent(".fvbook-cache/\(mode)")
        self.work = work ?? root.appendingPathComponent(".fvbook-work/\(mode)")
        self.defaultTimeout = defaultTimeout
        self.weights = weights
        // Beside the result cache (`.fvbook-cache/renders`), shared by quick and full mode: a
        // render's key has its steps and sizes. Forced builds render everything again.
        self.renderCache = renderCache && !force ? self.cache.deletingLastPathComponent().appendingPathComponent("renders") : nil
        self.renderCacheLimit = renderCacheLimit
        self.machineCode = machineCode
    }
}
