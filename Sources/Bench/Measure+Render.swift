// The book's default render, timed, and the memory it takes.
import FeatureVis
import Foundation
import Models
import Tensors

/// The book's default render and the memory it takes.
struct RenderMeasurement: Codable {
    let layer: String
    let channel: Int
    let steps: Int
    let size: Int
    let inputSize: Int
    /// Wall-clock seconds per render (the optimization and the final image; no metrics).
    let seconds: Stats
    /// The process's working CPU time (less the thread pool's spin-waits) over the wall time of the
    /// renders: 2 is both cores busy throughout.
    let coresBusy: Double
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
    let cpuStart = workingCPUSeconds()
    for _ in 0..<runs {
        let start = monotonicSeconds()
        let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 0, measure: false)
        seconds.append(monotonicSeconds() - start)
        steps = v.history.count
        size = v.image.shape[2]
    }
    return RenderMeasurement(layer: "_blocks.8", channel: 0, steps: steps, size: size, inputSize: network.inputSize,
                             seconds: Stats(seconds),
                             coresBusy: rounded((workingCPUSeconds() - cpuStart) / seconds.reduce(0, +), decimals: 2),
                             peakRSSMB: rounded(Memory.peak(), decimals: 1),
                             rssAfterLoadMB: rounded(rssAfterLoad, decimals: 1),
                             measuredIn: measuredIn)
}

/// Runs this executable with `arguments` (which make it measure the default render alone and print
/// the report as JSON, `fvbook bench --only render --json`), so the peak memory it reports is the
/// default render's own, not that of the measurements before it.
func measureDefaultRenderInChild(arguments: [String]) throws -> RenderMeasurement {
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let line = errorText.split(separator: "\n").last.map(String.init) ?? "no message"
        throw BenchError("the render child process (\(executable)) failed with status \(process.terminationStatus): \(line)")
    }
    guard let render = try JSONDecoder().decode(BenchReport.self, from: data).render else {
        throw BenchError("the render child process printed no render measurement")
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
        guard let status = ProcFile.text("/proc/self/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
        }
        return nil
    }
}

