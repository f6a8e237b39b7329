import ArgumentParser
import Atlas
import Foundation
import Models
import Notebook
import RenderCache
import Tensors

/// Options shared by `build`, `run` and `test`.
struct BookOptions: ParsableArguments {
    @Flag(help: "Quick mode: the chapters scale their work down (FVBOOK_QUICK=1); results are cached separately and the site goes to \(BuildSettings.defaultSite(quick: true)).")
    var quick = false

    @Flag(help: "Run chapters even when their cached results are current (and every render again).")
    var force = false

    @Flag(help: "Chapter programs optimize every render again instead of using the stored renders in .fvbook-cache/renders.")
    var noRenderCache = false

    @Option(help: ArgumentHelp("The most megabytes the stored renders may take (least recently used go first).", valueName: "MB"))
    var renderCacheLimit = RenderStore.defaultLimit >> 20

    @Option(help: ArgumentHelp("The folder with the chapters' Markdown files.", valueName: "dir"))
    var chapters = "chapters"

    @Option(help: ArgumentHelp("Where to write the site (default: \(BuildSettings.defaultSite(quick: false)), or \(BuildSettings.defaultSite(quick: true)) with --quick).", valueName: "dir"))
    var site: String?

    @Option(help: ArgumentHelp("The cache folder for chapter results (default: .fvbook-cache/full, or .fvbook-cache/quick with --quick).", valueName: "dir"))
    var cache: String?

    @Option(help: ArgumentHelp("Seconds a chapter may run unless one of its cells sets timeout=SECONDS.", valueName: "seconds"))
    var timeout: Double = 600

    @Option(help: ArgumentHelp("The build folder holding libFVBookKit.so (default: the folder of this fvbook executable).", valueName: "dir"))
    var bin: String?

    func validate() throws {
        guard renderCacheLimit >= 0 else { throw ValidationError("--render-cache-limit must be at least 0, got \(renderCacheLimit)") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, got \(timeout)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: chapters, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("no chapters folder at \(chapters) (run fvbook from the project root or pass --chapters)")
        }
    }

    /// The settings, toolchain and builder these options describe; builds the chapter library if needed.
    func builder() throws -> BookBuilder {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let binFolder = bin.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL } ?? Toolchain.folderOfRunningExecutable()
        let root = try projectRoot(cwd: cwd, binFolder: binFolder)
        let settings = BuildSettings(root: root, quick: quick, force: force,
                                     chapters: URL(fileURLWithPath: chapters, relativeTo: cwd).standardizedFileURL,
                                     site: site.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL },
                                     cache: cache.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL },
                                     defaultTimeout: timeout,
                                     weights: ModelCache.directory().appendingPathComponent(EfficientNetLite.Variant.lite0.weightsFileName),
                                     renderCache: !noRenderCache, renderCacheLimit: renderCacheLimit << 20,
                                     machineCode: KernelPath.fingerprint)
        let toolchain = try Toolchain.locate(root: root, binFolder: binFolder)
        try toolchain.ensureLibrary()
        let progress = TerminalProgress()
        // `layer:channel` mentions in prose link to the site's atlas pages (written by `fvbook atlas --merge`).
        let atlas = AtlasLinks(site: settings.site)
        return BookBuilder(settings: settings, toolchain: toolchain,
                           renderer: HTMLRenderer(mentionLink: { atlas.page(for: $0) }, atlasIndex: atlas.index),
                           progress: progress.handle)
    }

    /// `url` as the user would type it: relative to the working directory when inside it.
    func shown(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return url.path.hasPrefix(cwd) ? String(url.path.dropFirst(cwd.count)) : url.path
    }

    /// The package root: the working directory if it holds Package.swift, else the folder above
    /// the build folder's `.build`.
    private func projectRoot(cwd: URL, binFolder: URL) throws -> URL {
        if FileManager.default.fileExists(atPath: cwd.appendingPathComponent("Package.swift").path) { return cwd }
        var folder = binFolder
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        throw NotebookError.toolchain("cannot find the project root (a folder with Package.swift); run fvbook from it")
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every chapter (or take it from the cache) and write the site.",
        discussion: """
        Unchanged chapters are not re-run; their stored results are rendered again. A failing \
        chapter is shown as failing in its page; the rest of the site is still written, and the \
        build then exits with status 1. One build at a time writes a site: a second one waits.
        """)

    @OptionGroup var options: BookOptions

    func run() throws {
        let builder = try options.builder()
        let report = try builder.build()
        print("\(report.summary) — site written to \(options.shown(builder.settings.site))/index.html")
        for line in report.failureLines { print("  \(line)") }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
