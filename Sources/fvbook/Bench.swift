import ArgumentParser
import Bench
import Foundation
import Models

/// `fvbook bench`: how fast the engine optimizes images, read against this machine's sgemm peak.
///
/// Measures, for the pretrained EfficientNet-Lite0:
/// * OpenBLAS sgemm GFLOP/s on a 1024³ product with 1 and 2 threads — the machine's peak, in
///   this process;
/// * milliseconds per optimization step of the real render loop (forward to the layer, gradient
///   to the image parameters, Adam) for each layer, image side and batch size, with the GFLOP/s
///   that achieves and its share of the 2-thread sgemm peak;
/// * the book's default render (`visualizeFeature(layer: "_blocks.8", channel: 0)`: 512 steps,
///   128 px upsampled to 224) and its peak resident memory, in a child process so that the
///   other measurements do not inflate it.
///
/// Figures are medians after warm-up, with their spread (the measurements are the `Bench`
/// library's `Benchmark`; this command only reads the options). Errors (missing weights, an
/// unknown layer) are one line on stderr and exit status 2.
///
/// ```
/// $ swift build -c release && .build/release/fvbook bench
/// $ .build/release/fvbook bench --quick --json
/// $ .build/release/fvbook bench --only steps --layers _blocks.8 --sizes 224 --batches 1 --repetitions 300
/// $ .build/release/fvbook bench --only cross-model             # ModelComparison, 64 steps per render
/// ```
///
/// `--only cross-model` is a different measurement (``ModelComparison``, never part of `all`): class
/// logits and deep channels rendered naively, with the Lucid-style default and with MACO on
/// EfficientNet-Lite0 and -Lite2, each model's class images classified by the other.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time optimization steps and the default render of EfficientNet-Lite0 against this machine's sgemm peak.",
        discussion: """
            Run it on a release build (swift build -c release; .build/release/fvbook bench) on a quiet \
            machine: the load average at start and end is part of the report. Takes about two minutes; \
            --quick about twenty seconds.
            """)

    @Flag(help: "Print the numbers as JSON.")
    var json = false

    @Flag(help: "A smoke check: one warm-up step, 3 timed steps per configuration, one render.")
    var quick = false

    @Option(help: "What to measure: all, steps (with the sgemm peak), render (in this process), sgemm, or cross-model (not part of all).")
    var only: Benchmark.Part = .all

    @Option(help: ArgumentHelp("Layers for the step table, comma-separated.", valueName: "names"))
    var layers = "_blocks.3,_blocks.8,_blocks.15,logits"

    @Option(help: ArgumentHelp("Image sides for the step table, comma-separated.", valueName: "pixels"))
    var sizes = "128,224"

    @Option(help: ArgumentHelp("Batch sizes for the step table, comma-separated.", valueName: "counts"))
    var batches = "1,8"

    @Option(help: ArgumentHelp("Timed steps per configuration (default: as many as fit in 3 s, 7…60; 3 with --quick).", valueName: "count"))
    var repetitions: Int?

    @Option(help: ArgumentHelp("Steps per render of --only cross-model (default 64; 4 with --quick).", valueName: "count"))
    var steps: Int?

    @Flag(help: "Time the steps with the standard transforms and the resize to 224, as the default render does (not the pixel-free steps of the targets).")
    var transforms = false

    @Flag(help: "Time the default render in this process instead of a child process (its peak RSS then includes the other measurements).")
    var inProcess = false

    func validate() throws {
        for (name, list) in [("--sizes", sizes), ("--batches", batches)] {
            guard let values = Self.integers(list), !values.isEmpty, values.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("\(name) must be positive integers separated by commas, got `\(list)`")
            }
        }
        if let size = Self.integers(sizes)?.first(where: { $0 < 32 || $0 > 1024 }) {
            throw ValidationError("--sizes must lie in 32…1024 pixels, got \(size)")
        }
        if let repetitions, repetitions < 1 { throw ValidationError("--repetitions must be at least 1, got \(repetitions)") }
        if Self.names(layers).isEmpty { throw ValidationError("--layers names no layer") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if steps != nil && only != .crossModel { throw ValidationError("--steps applies to --only cross-model") }
    }

    func run() throws {
        if only == .crossModel { return try compareModels() }
        var bench = Benchmark()
        bench.quick = quick
        bench.only = only
        bench.layers = Self.names(layers)
        bench.sizes = Self.integers(sizes)!
        bench.batches = Self.integers(batches)!
        bench.repetitions = repetitions
        bench.transforms = transforms
        bench.renderChild = inProcess ? nil : ["bench", "--only", "render", "--json"] + (quick ? ["--quick"] : [])
        if isatty(STDERR_FILENO) != 0 {
            bench.progress = { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
        }
        do {
            let report = try bench.run(on: try EfficientNetLite0.pretrained())
            print(json ? try report.json() : report.text())
        } catch {
            FileHandle.standardError.write(Data("fvbook bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// `--only cross-model`: ``ModelComparison`` with `--steps`.
    func compareModels() throws {
        var comparison = ModelComparison()
        comparison.steps = steps ?? (quick ? 4 : 64)
        comparison.progress = { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
        do {
            let report = try comparison.run()
            print(json ? try report.json() : report.text())
        } catch {
            FileHandle.standardError.write(Data("fvbook bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func integers(_ list: String) -> [Int]? {
        let parts = names(list)
        let values = parts.compactMap { Int($0) }
        return values.count == parts.count ? values : nil
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension Benchmark.Part: ExpressibleByArgument {}
