// The whole benchmark: which figures to measure, in which order, into one report.
import FeatureVis
import Foundation
import Models
import Tensors

/// One run of the benchmark (`fvbook bench` is a thin command line over it).
///
/// Measures, for the pretrained EfficientNet-Lite0 (or any `Network`):
/// * OpenBLAS sgemm GFLOP/s on a 1024³ product with 1 and 2 threads — the machine's peak, in this
///   process, before and after the steps (the better session is kept);
/// * milliseconds per optimization step of the real render loop (`render`, timed step by step)
///   for each layer, image side and batch size, with the GFLOP/s that achieves (FLOPs counted on
///   the real network, ``stepFLOPs(network:layer:side:batch:)``) and its share of the sgemm peak;
/// * the image side of a step alone;
/// * the book's default render and its peak resident memory, in a child process when
///   `renderChild` is given so that the other measurements do not inflate it.
///
/// ```swift
/// var bench = Benchmark()
/// bench.layers = ["_blocks.8"]; bench.sizes = [224]; bench.batches = [1]
/// let report = try bench.run(on: try EfficientNetLite0.pretrained())
/// print(report.text())
/// ```
public struct Benchmark {
    /// The parts of the benchmark a run makes (`crossModel` is ``ModelComparison``, never part of `all`).
    public enum Part: String, CaseIterable, Sendable {
        case all, steps, render, sgemm
        case crossModel = "cross-model"
    }

    public var quick = false
    public var only: Part = .all
    public var layers = ["_blocks.3", "_blocks.8", "_blocks.15", "logits"]
    public var sizes = [128, 224]
    public var batches = [1, 8]
    /// Timed steps per configuration (nil: as many as fit in the plan's budget).
    public var repetitions: Int?
    /// Time the steps of the default render's pipeline (standard transforms, resize) instead.
    public var transforms = false
    /// The arguments that make this executable measure the default render alone and print the
    /// report as JSON (`["bench", "--only", "render", "--json"]`); nil renders in this process.
    public var renderChild: [String]?
    /// Called with a line before each measurement.
    public var progress: (String) -> Void = { _ in }

    public init() {}

    /// Runs the selected measurements in order: sgemm, steps, image side, render, sgemm again.
    /// `network` is loaded only when a part needs it.
    public func run(on network: @autoclosure () throws -> Network) throws -> BenchReport {
        guard only != .crossModel else { throw BenchError("the cross-model part is a ModelComparison, not a Benchmark") }
        let plan = quick ? BenchPlan.quick : BenchPlan.full
        var report = BenchReport(machine: .current(), quick: quick, warmupSteps: plan.warmupSteps, transforms: transforms)
        if only != .render {
            progress("sgemm 1024³ with 1 and 2 threads")
            report.sgemm = SgemmPeak.measure(repetitions: plan.sgemmRepetitions)
        }
        var stepped = false
        if only != .sgemm {
            let network = try network()
            if only == .all || only == .steps {
                report.steps = try measureStepTable(network: network, plan: plan)
                stepped = true
                progress("image side alone")
                report.imageSide = measureImageSideTable(plan: plan, inputSize: network.inputSize)
            }
            if only == .render || (only == .all && renderChild == nil) {
                progress("default render, \(plan.renders) run\(plan.renders == 1 ? "" : "s"), in this process")
                report.render = try measureDefaultRender(network: network, runs: plan.renders,
                                                         measuredIn: only == .render ? "own process" : "shared process")
            } else if only == .all, let renderChild {
                progress("default render, \(plan.renders) run\(plan.renders == 1 ? "" : "s"), in a child process")
                report.render = try measureDefaultRenderInChild(arguments: renderChild)
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

    /// Every layer × size × batch (shares of the sgemm peak are filled in later).
    func measureStepTable(network: Network, plan: BenchPlan) throws -> [StepMeasurement] {
        for name in layers { _ = try network.channels(of: name) }  // unknown names: a typed error with a hint
        var results: [StepMeasurement] = []
        for size in sizes {
            // With the resize, the network sees its input size whatever the image's.
            let side = transforms ? max(size, network.inputSize) : size
            for layer in layers {
                let work = try stepFLOPs(network: network, layer: layer, side: side)
                var batch1Ms: Double?
                for batch in batches.sorted() {
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
    func measureImageSideTable(plan: BenchPlan, inputSize: Int) -> [ImageSideMeasurement] {
        let steps = repetitions ?? (quick ? 3 : 20)
        var results: [ImageSideMeasurement] = []
        for size in sizes {
            for batch in batches.sorted() {
                results.append(measureImageSide(size: size, batch: batch, transforms: [], resizeTo: nil,
                                                warmup: plan.warmupSteps, steps: steps))
            }
        }
        results.append(measureImageSide(size: 128, batch: 1, transforms: Transform.standard, resizeTo: inputSize,
                                        warmup: plan.warmupSteps, steps: steps))
        return results
    }
}

/// A benchmark that could not run (a child process failed): what and why.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
