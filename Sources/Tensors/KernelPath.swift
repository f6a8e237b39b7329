internal import CBLAS
import Foundation

/// What decides which machine code computes a result: the CPU (model and feature flags, which the
/// hand-written kernels dispatch on), the OpenBLAS build and the core it chose (its sgemm kernel),
/// and the number of threads the engine splits work over. Results are bit-identical only along
/// one kernel path, so memoized renders key on it.
///
/// ```swift
/// print(KernelPath.current)   // "cpu=Intel(R) Xeon(R) … flags=… blas=OpenBLAS 0.3.21 … SkylakeX threads=2"
/// ```
public enum KernelPath {
    /// This process's kernel path, read once.
    public static let current: String = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String {
            for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
            return "unknown"
        }
        let flags = field("flags").split(separator: " ").sorted().joined(separator: " ")
        let blas = String(cString: openblas_get_config()) + " core=" + String(cString: openblas_get_corename())
        return "cpu=\(field("model name")) flags=\(flags) blas=\(blas) threads=\(engineThreadCount)"
    }()
}
