import ArgumentParser
import FeatureVis
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
/// Figures are medians after warm-up, with their spread. Errors (missing weights, an unknown
/// layer) are one line on stderr and exit status 2.
///
/// ```
/// $ swift build -c release && .build/release/fvbook bench
/// $ .build/release/fvbook bench --quick --json
/// $ .build/release/fvbook bench --only steps --layers _blocks.8 --sizes 224 --batches 1 --repetitions 300
/// ```
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time optimization steps and the default render of EfficientNet-Lite0 against this machine's sgemm peak.",
        discussion: """
            Run it on a release build (swift build -c release; .build/release/fvbook bench) on a quiet \
            machine: the load average at start and end is part of the report. Takes about two minutes; \
            --quick about twenty seconds.
            """)

    /// The parts of the benchmark `--only` selects.
    enum Part: String, ExpressibleByArgument, CaseIterable {
        case all, steps, render, sgemm
    }

    @Flag(help: "Print the numbers as JSON.")
    var json = false

    @Flag(help: "A smoke check: one warm-up step, 3 timed steps per configuration, one render.")
    var quick = false

    @Option(help: "What to measure: all, steps (with the sgemm peak), render (in this process) or sgemm.")
    var only: Part = .all

    @Option(help: ArgumentHelp("Layers for the step table, comma-separated.", valueName: "names"))
    var layers = "_blocks.3,_blocks.8,_blocks.15,logits"

    @Option(help: ArgumentHelp("Image sides for the step table, comma-separated.", valueName: "pixels"))
    var sizes = "128,224"

    @Option(help: ArgumentHelp("Batch sizes for the step table, comma-separated.", valueName: "counts"))
    var batches = "1,8"

    @Option(help: ArgumentHelp("Timed steps per configuration (default: as many as fit in 3 s, 7…60; 3 with --quick).", valueName: "count"))
    var repetitions: Int?

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
    }

    func run() throws {
        do {
            let report = try measure()
            print(json ? try report.json() : report.text())
        } catch {
            FileHandle.standardError.write(Data("fvbook bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Runs the selected measurements in order: sgemm, steps, render.
    private func measure() throws -> BenchReport {
        let plan = quick ? BenchPlan.quick : BenchPlan.full
        var report = BenchReport(machine: .current(), quick: quick, warmupSteps: plan.warmupSteps, transforms: transforms)
        if only != .render {
            progress("sgemm 1024³ with 1 and 2 threads")
            report.sgemm = SgemmPeak.measure(repetitions: plan.sgemmRepetitions)
        }
        var stepped = false
        if only != .sgemm {
            let network = try EfficientNetLite0.pretrained()
            if only == .all || only == .steps {
                report.steps = try measureStepTable(network: network, plan: plan)
                stepped = true
                report.imageSide = measureImageSideTable(plan: plan, inputSize: network.inputSize)
            }
            if only == .render || (only == .all && inProcess) {
                progress("default render, \(plan.renders) run\(plan.renders == 1 ? "" : "s"), in this process")
                report.render = try measureDefaultRender(network: network, runs: plan.renders,
                                                         measuredIn: only == .render ? "own process" : "shared process")
            } else if only == .all {
                progress("default render, \(plan.renders) run\(plan.renders == 1 ? "" : "s"), in a child process")
                report.render = try measureDefaultRenderInChild(quick: quick)
            }
        }
        if stepped, let first = report.sgemm {
            // Other processes on the machine lower a peak measured once: measure it again after
            // the steps and keep the session with the higher 2-thread median.
            progress("sgemm 1024³ again")
            let second = SgemmPeak.measure(repetitions: plan.sgemmRepetitions)
            let best = (second.gflops(threads: 2)?.median ?? 0) > (first.gflops(threads: 2)?.median ?? 0) ? second : first
            report.sgemm = SgemmPeak(size: best.size, runs: best.runs, sessions: 2)
            report.setShares(peakGFLOPS: best.gflops(threads: 2)?.median)
        }
        report.machine.loadAverageEnd = MachineInfo.loadAverage()
        report.processPeakRSSMB = rounded(Memory.peak(), decimals: 1)
        return report
    }

    /// Every layer × size × batch (shares of the sgemm peak are filled in later), with FLOP counts verified against the network once per size.
    private func measureStepTable(network: Network, plan: BenchPlan) throws -> [StepMeasurement] {
        let layerNames = Self.names(layers)
        for name in layerNames { _ = try network.channels(of: name) }  // unknown names: a typed error with a hint
        var results: [StepMeasurement] = []
        for size in Self.integers(sizes)! {
            // With the resize, the network sees its input size whatever the image's.
            let flops = LiteFLOPs(side: transforms ? max(size, network.inputSize) : size)
            try flops.verify(against: network)
            for layer in layerNames {
                let work = flops.stepWork(upTo: layer)
                var batch1Ms: Double?
                for batch in Self.integers(batches)!.sorted() {
                    progress("steps to \(layer) at \(size) px, batch \(batch)")
                    let run = try measureSteps(network: network, layer: layer, size: size, batch: batch,
                                               plan: plan, repetitions: repetitions,
                                               transforms: transforms ? Transform.standard : [], resize: transforms)
                    let ms = Stats(run.ms)
                    let perImage = ms.map { $0 / Double(batch) }
                    let achieved = work.total * Double(batch) / (ms.median / 1000) / 1e9
                    if batch == 1 { batch1Ms = ms.median }
                    results.append(StepMeasurement(
                        layer: layer, size: size, batch: batch, gflopPerImage: rounded(work.total / 1e9, decimals: 4),
                        depthwiseShare: rounded(work.depthwise / work.total, decimals: 4), msPerStep: ms, msPerImage: perImage,
                        achievedGFLOPS: rounded(achieved, decimals: 2), coresBusy: rounded(run.coresBusy, decimals: 2),
                        shareOfPeak: nil,
                        perImageRatioToBatch1: batch > 1 ? batch1Ms.map { rounded(perImage.median / $0, decimals: 3) } : nil))
                }
            }
        }
        return results
    }

    /// The image side alone for every size and batch of the step table, and for the default
    /// render's pipeline (128 px, standard transforms, resized to the network's input).
    private func measureImageSideTable(plan: BenchPlan, inputSize: Int) -> [ImageSideMeasurement] {
        progress("image side alone")
        let steps = repetitions ?? (quick ? 3 : 20)
        var results: [ImageSideMeasurement] = []
        for size in Self.integers(sizes)! {
            for batch in Self.integers(batches)!.sorted() {
                results.append(measureImageSide(size: size, batch: batch, transforms: [], resizeTo: nil,
                                                warmup: plan.warmupSteps, steps: steps))
            }
        }
        results.append(measureImageSide(size: 128, batch: 1, transforms: Transform.standard, resizeTo: inputSize,
                                        warmup: plan.warmupSteps, steps: steps))
        return results
    }

    /// A progress line on stderr, when stderr is a terminal.
    private func progress(_ message: String) {
        guard isatty(STDERR_FILENO) != 0 else { return }
        FileHandle.standardError.write(Data("… \(message)\n".utf8))
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
