// Everything one benchmark run measured, and the targets it is read against.
import Foundation

/// The timing of optimization steps for one layer, image side and batch size.
struct StepMeasurement: Codable {
    let layer: String
    let size: Int
    let batch: Int
    /// Forward + input-gradient FLOPs of convolutions and the classifier, per image, in GFLOP.
    let gflopPerImage: Double
    /// The part of `gflopPerImage` in depthwise convolutions (the rest is GEMM-shaped).
    let depthwiseShare: Double
    /// Milliseconds per step (the whole batch).
    let msPerStep: Stats
    /// Milliseconds per step divided by the batch size.
    let msPerImage: Stats
    /// `gflopPerImage · batch` over the median step time.
    let achievedGFLOPS: Double
    /// CPU time over wall time while stepping: 1 is one core busy, 2 both (other processes'
    /// load lowers it).
    let coresBusy: Double
    /// `achievedGFLOPS` over the median 2-thread sgemm GFLOP/s (nil without an sgemm measurement).
    var shareOfPeak: Double?
    /// For batches above 1: median ms per image over batch 1's median ms (same layer and size).
    var perImageRatioToBatch1: Double?
}

/// Everything one `fvbook bench` run measured; printed as a table or as JSON.
public struct BenchReport: Codable {
    var machine: MachineInfo
    var quick: Bool
    var warmupSteps: Int
    /// Whether the steps ran with the standard transforms and the resize (`--transforms`).
    var transforms = false
    var sgemm: SgemmPeak?
    var steps: [StepMeasurement] = []
    /// The image side of a step alone, per step-table size and batch, and for the default render.
    var imageSide: [ImageSideMeasurement] = []
    var render: RenderMeasurement?
    /// The peak resident memory of the whole benchmark process, in MB.
    var processPeakRSSMB: Double = 0

    /// Fills in every step's share of the sgemm peak.
    mutating func setShares(peakGFLOPS: Double?) {
        for i in steps.indices {
            steps[i].shareOfPeak = peakGFLOPS.map { rounded(steps[i].achievedGFLOPS / $0, decimals: 4) }
        }
    }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

// MARK: - Targets

/// The targets a bench run can judge by itself (issue 10). The speed targets are ratios to
/// PyTorch and Lucent measured in the same run: `benchmarks/side-by-side.sh` judges those.
enum BenchTargets {
    static let batchRatio = 0.6
    static let coresBusy = 1.8
    static let renderPeakRSSMB = 150.0
}
