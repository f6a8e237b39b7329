import CBLAS
import FeatureVis
import Foundation
import Models
import Tensors

// What `fvbook bench` measures, one function per figure. Each returns plain numbers; the report
// (Bench+Report.swift) turns them into a table or JSON.

/// The median and spread of repeated measurements.
struct Stats: Codable, Equatable {
    let median, min, max, q1, q3: Double
    let count: Int

    /// Summarizes `samples` (quartiles by linear interpolation between order statistics).
    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples to summarize")
        let s = samples.sorted()
        func quantile(_ p: Double) -> Double {
            let position = p * Double(s.count - 1)
            let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, s.count - 1)
            return s[lower] + (position - Double(lower)) * (s[upper] - s[lower])
        }
        median = quantile(0.5)
        q1 = quantile(0.25)
        q3 = quantile(0.75)
        min = s[0]
        max = s[s.count - 1]
        count = s.count
    }

    private init(median: Double, min: Double, max: Double, q1: Double, q3: Double, count: Int) {
        (self.median, self.min, self.max, self.q1, self.q3, self.count) = (median, min, max, q1, q3, count)
    }

    /// Rounded to 4 decimals in JSON: the clock is not more precise than that.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.median, median), (.min, min), (.max, max), (.q1, q1), (.q3, q3)] {
            try c.encode(rounded(value, decimals: 4), forKey: key)
        }
        try c.encode(count, forKey: .count)
    }

    /// Every value mapped by an increasing function (a unit change, a division by a batch size).
    func map(_ f: (Double) -> Double) -> Stats {
        Stats(median: f(median), min: f(min), max: f(max), q1: f(q1), q3: f(q3), count: count)
    }
}

/// How many repetitions a run makes: the full benchmark or the `--quick` smoke check.
struct BenchPlan {
    /// Steps run and discarded before timing each configuration.
    var warmupSteps: Int
    /// Timed steps per configuration: as many as fit in `stepBudgetSeconds`, within these bounds.
    var minSteps: Int, maxSteps: Int
    var stepBudgetSeconds: Double
    /// Default renders timed (each one is 512 steps).
    var renders: Int
    /// Timed 1024³ products per thread count, after one untimed product.
    var sgemmRepetitions: Int

    static let full = BenchPlan(warmupSteps: 3, minSteps: 7, maxSteps: 60, stepBudgetSeconds: 3, renders: 3,
                                sgemmRepetitions: 10)
    static let quick = BenchPlan(warmupSteps: 1, minSteps: 3, maxSteps: 3, stepBudgetSeconds: 0, renders: 1,
                                 sgemmRepetitions: 3)
}

/// `value` rounded to `decimals` places, for readable JSON.
func rounded(_ value: Double, decimals: Int) -> Double {
    let scale = Foundation.pow(10, Double(decimals))
    return (value * scale).rounded() / scale
}

/// Seconds since an arbitrary start, from the monotonic clock.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

// MARK: - sgemm peak

/// OpenBLAS sgemm throughput on a square product, in GFLOP/s, per thread count.
struct SgemmPeak: Codable {
    struct Run: Codable {
        let threads: Int
        let gflops: Stats
    }

    let size: Int
    let runs: [Run]
    /// How many measurement sessions the figures are the best of (by the 2-thread median).
    var sessions = 1

    /// The GFLOP/s with `threads` threads, if measured.
    func gflops(threads: Int) -> Stats? { runs.first { $0.threads == threads }?.gflops }

    /// Multiplies two seeded random `size × size` matrices `repetitions` times with each thread
    /// count (after one untimed product), then restores OpenBLAS's thread setting.
    static func measure(size: Int = 1024, threadCounts: [Int] = [1, 2], repetitions: Int) -> SgemmPeak {
        var rng = SeededGenerator(seed: 1)
        let a = Tensor(randomNormal: [size, size], using: &rng).scalars
        let b = Tensor(randomNormal: [size, size], using: &rng).scalars
        var c = [Float](repeating: 0, count: size * size)
        let flops = 2 * Double(size) * Double(size) * Double(size)
        let previous = openblas_get_num_threads()
        defer { openblas_set_num_threads(previous) }
        var runs: [Run] = []
        for threads in threadCounts {
            openblas_set_num_threads(Int32(threads))
            var samples: [Double] = []
            for rep in 0...repetitions {
                let start = monotonicSeconds()
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size),
                            1, a, Int32(size), b, Int32(size), 0, &c, Int32(size))
                let seconds = monotonicSeconds() - start
                if rep > 0 { samples.append(flops / seconds / 1e9) }
            }
            runs.append(Run(threads: threads, gflops: Stats(samples)))
        }
        return SgemmPeak(size: size, runs: runs, sessions: 1)
    }
}

// MARK: - Optimization steps

/// Times the optimization steps of the render loop on `network`: `.channel(layer, 0)` on a
/// Fourier-parameterized, colour-decorrelated batch, no transforms, no resize — forward to the
/// layer, gradient to the parameters, Adam update. (With `transforms` and `resize`, the steps of
/// the default render's pipeline instead.)
///
/// A two-step pilot render sizes the run: as many steps as fit in the plan's budget, within its
/// bounds, after its warm-up steps (which are run in the same render and discarded).
/// - Returns: milliseconds per timed step, and the process's CPU time over the wall time of the
///   whole render (2 means both cores busy all the time).
func measureSteps(network: Network, layer: String, size: Int, batch: Int, plan: BenchPlan,
                  repetitions: Int?, transforms: [Transform] = [], resize: Bool = false) throws -> (ms: [Double], coresBusy: Double) {
    func timedRender(steps: Int) throws -> (ms: [Double], coresBusy: Double) {
        var marks = [monotonicSeconds()]
        marks.reserveCapacity(steps + 1)
        let cpuStart = cpuSeconds()
        _ = try render(Recipe(.channel(layer, 0), from: .fourier(size: size, batch: batch, seed: 0),
                              transforms: transforms, steps: steps, resizeToNetworkInput: resize),
                       on: network, progress: { _ in marks.append(monotonicSeconds()) })
        let busy = (cpuSeconds() - cpuStart) / (marks.last! - marks[0])
        return (zip(marks.dropFirst(), marks).map { 1000 * ($0 - $1) }, busy)
    }
    let timed: Int
    if let repetitions {
        timed = repetitions
    } else if plan.minSteps == plan.maxSteps {
        timed = plan.minSteps
    } else {
        let pilotMs = try timedRender(steps: 2).ms.last!
        timed = min(plan.maxSteps, max(plan.minSteps, Int(1000 * plan.stepBudgetSeconds / pilotMs)))
    }
    let run = try timedRender(steps: plan.warmupSteps + timed)
    return (Array(run.ms.dropFirst(plan.warmupSteps)), run.coresBusy)
}

/// User and system CPU seconds of this process so far, all threads.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

// MARK: - The image side alone

/// The image pipeline of one step without the network: which share of a step is not the network.
struct ImageSideMeasurement: Codable {
    let size: Int
    let batch: Int
    /// "Fourier + decorrelated colour + sigmoid", plus the transforms and resize when applied.
    let pipeline: String
    /// Milliseconds per step: image from the parameters (and transforms, resize), then the
    /// gradient of the input's mean back to the parameters.
    let ms: Stats
}

/// Times the image side of a step: a Fourier-parameterized, colour-decorrelated batch made on a
/// fresh tape, optionally transformed and resized as the render loop does, and the gradient of
/// its mean back to the parameters. `steps` timed repetitions after `warmup` untimed ones.
func measureImageSide(size: Int, batch: Int, transforms: [Transform], resizeTo side: Int?,
                      warmup: Int, steps: Int) -> ImageSideMeasurement {
    let param = ImageParameterization.fourier(size: size, batch: batch, seed: 0)
    let transform = Transform.compose(transforms)
    var rng = SeededGenerator(seed: 1)
    var ms: [Double] = []
    for rep in 0..<(warmup + steps) {
        let start = monotonicSeconds()
        let tape = Tape()
        let variables = param.parameters.map { tape.variable($0) }
        var input = transform(param.makeImage(from: variables), using: &rng)
        if let side { input = resizeBilinear(input, height: side, width: side, alignCorners: true) }
        let gradients = tape.gradients(of: input.mean())
        precondition(variables.allSatisfy { gradients[$0].shape == param.parameters[0].shape }, "no parameter gradient")
        if rep >= warmup { ms.append(1000 * (monotonicSeconds() - start)) }
    }
    var pipeline = "Fourier + decorrelated colour + sigmoid"
    if !transforms.isEmpty { pipeline += " + \(transforms.count) transforms" }
    if let side { pipeline += " + resize to \(side)" }
    return ImageSideMeasurement(size: size, batch: batch, pipeline: pipeline, ms: Stats(ms))
}

// MARK: - The default render

/// The book's default render and the memory it takes.
struct RenderMeasurement: Codable {
    let layer: String
    let channel: Int
    let steps: Int
    let size: Int
    let inputSize: Int
    /// Wall-clock seconds per render (the optimization and the final image; no metrics).
    let seconds: Stats
    /// Peak resident memory of the process that rendered (VmHWM), in MB (10⁶ bytes).
    let peakRSSMB: Double
    /// Resident memory once the network was loaded, before the first render, in MB.
    let rssAfterLoadMB: Double
    /// "own process" when a process that did nothing else measured it (`fvbook bench --only render`,
    /// which `fvbook bench` runs as a child), "shared process" after other measurements.
    let measuredIn: String
}

/// Runs `FeatureVisualizer(model:).visualizeFeature(layer: "_blocks.8", channel: 0, measure: false)`
/// — Lucid's defaults: 512 steps, 128 px upsampled to 224, Fourier + decorrelated colour +
/// standard transforms — `runs` times, in this process.
func measureDefaultRender(network: Network, runs: Int, measuredIn: String) throws -> RenderMeasurement {
    let rssAfterLoad = Memory.current()
    let visualizer = FeatureVisualizer(model: network)
    var seconds: [Double] = []
    var steps = 0, size = 0
    for _ in 0..<runs {
        let start = monotonicSeconds()
        let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 0, measure: false)
        seconds.append(monotonicSeconds() - start)
        steps = v.history.count
        size = v.image.shape[2]
    }
    return RenderMeasurement(layer: "_blocks.8", channel: 0, steps: steps, size: size, inputSize: network.inputSize,
                             seconds: Stats(seconds), peakRSSMB: rounded(Memory.peak(), decimals: 1),
                             rssAfterLoadMB: rounded(rssAfterLoad, decimals: 1),
                             measuredIn: measuredIn)
}

/// Runs `fvbook bench --only render --json` as a child process, so the peak memory it reports
/// is the default render's own, not that of the measurements before it.
func measureDefaultRenderInChild(quick: Bool) throws -> RenderMeasurement {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["bench", "--only", "render", "--json"] + (quick ? ["--quick"] : [])
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let line = errorText.split(separator: "\n").last.map(String.init) ?? "no message"
        throw CommandError("the render child process (\(executable)) failed with status \(process.terminationStatus): \(line)")
    }
    guard let render = try JSONDecoder().decode(BenchReport.self, from: data).render else {
        throw CommandError("the render child process printed no render measurement")
    }
    return render
}

// MARK: - Memory and machine

/// Resident memory of this process, from /proc/self/status (getrusage where that is missing).
enum Memory {
    /// The peak resident set (VmHWM), in MB.
    static func peak() -> Double {
        if let kB = statusField("VmHWM") { return kB * 1024 / 1e6 }
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) * 1024 / 1e6  // kilobytes on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        return Double(usage.ru_maxrss) / 1e6  // bytes on macOS
        #endif
    }

    /// The current resident set (VmRSS), in MB (0 where /proc is missing).
    static func current() -> Double { (statusField("VmRSS") ?? 0) * 1024 / 1e6 }

    /// A `kB` field of /proc/self/status.
    private static func statusField(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
        }
        return nil
    }
}

/// What the numbers were measured on.
struct MachineInfo: Codable {
    let cpu: String
    let cores: Int
    let openBLAS: String
    /// The OpenBLAS core in use and why (`BLASCore`).
    let blasCore: String
    /// The 1-minute load average when the benchmark started and when it ended: other processes
    /// competing for the two cores slow every figure down.
    var loadAverageStart: Double
    var loadAverageEnd: Double

    static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let config = openblas_get_config().map { String(cString: $0).trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let load = loadAverage()
        return MachineInfo(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, openBLAS: config,
                           blasCore: BLASCore.current.description, loadAverageStart: load, loadAverageEnd: load)
    }

    /// The 1-minute load average (/proc/loadavg), or −1 where it cannot be read.
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
              let first = text.split(separator: " ").first, let value = Double(first) else { return -1 }
        return value
    }
}
