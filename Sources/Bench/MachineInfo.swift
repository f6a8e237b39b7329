// What the numbers were measured on.
import Foundation
import Tensors

/// What the numbers were measured on.
struct MachineInfo: Codable {
    let cpu: String
    let cores: Int
    let openBLAS: String
    /// The OpenBLAS core in use and why (`BLASCore`).
    let blasCore: String
    /// The engine's vector-kernel build and what computes the convolutions' products.
    let kernels: String
    /// The 1-minute load average when the benchmark started and when it ended: other processes
    /// competing for the two cores slow every figure down.
    var loadAverageStart: Double
    var loadAverageEnd: Double

    static func current() -> MachineInfo {
        let model = ProcFile.cpuInfoField("model name")
        let config = openBLASConfiguration()
        let load = loadAverage()
        return MachineInfo(cpu: model, cores: ProcessInfo.processInfo.activeProcessorCount, openBLAS: config,
                           blasCore: BLASCore.current.description,
                           kernels: "\(KernelPath.current); convolution products: \(KernelPath.convolutionProducts)",
                           loadAverageStart: load, loadAverageEnd: load)
    }

    /// The 1-minute load average (/proc/loadavg), or −1 where it cannot be read.
    static func loadAverage() -> Double {
        guard let text = ProcFile.text("/proc/loadavg"),
              let first = text.split(separator: " ").first, let value = Double(first) else { return -1 }
        return value
    }
}
