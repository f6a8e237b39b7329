// Which build of the C kernels (CKernels) runs: the CPU's best, or one a test forces.
internal import CKernels
internal import CBLAS
import Foundation

/// A build of the engine's vector kernels (depthwise convolution, bias + activation, masks, sums).
package enum KernelPath: Int32, CaseIterable, Sendable {
    /// 8 lanes in SSE pairs: any x86-64.
    case baseline
    /// 8 lanes, AVX2 + FMA.
    case avx2
    /// 16 lanes, AVX-512 (F, CD, BW, DQ, VL).
    case avx512

    /// The best build this CPU runs (cpuid).
    package static var cpu: KernelPath { KernelPath(rawValue: fv_cpu_kernel_path()) ?? .baseline }

    /// The build the kernels use now.
    package static var current: KernelPath { KernelPath(rawValue: fv_kernel_path()) ?? .baseline }

    /// What computes the convolutions' matrix products on the current path, in words.
    package static var convolutionProducts: String {
        ownConvProduct ? "the engine's own (fv_conv_product)" : "OpenBLAS sgemm"
    }

    /// Every build this CPU runs, weakest first.
    package static var runnable: [KernelPath] { allCases.filter { $0.rawValue <= cpu.rawValue } }

    /// Runs `body` with every kernel on `path` (which this CPU must run), then restores the CPU's
    /// best. For tests; not thread-safe.
    package static func forcing<T>(_ path: KernelPath, _ body: () throws -> T) rethrows -> T {
        precondition(fv_force_kernel_path(path.rawValue) == 1, "this CPU cannot run the \(path) kernels")
        defer { _ = fv_force_kernel_path(-1) }
        return try body()
    }

    /// The machine code that computes results, in words: the vector-kernel build, the OpenBLAS
    /// build and core, and the engine's thread count (where OpenBLAS computes a product split into
    /// one block of rows per thread — the 1×1 products without AVX-512, the classifier — its
    /// small-matrix kernels can round a block differently from the whole). Two processes whose
    /// lines differ may produce different bits from the same inputs (an atlas records the line and
    /// refuses to mix two). The CPU's maker and model are not part of it: the same kernels give the
    /// same bits on an AMD EPYC and an Intel Xeon (the kernels use no approximate instructions), so
    /// a mixed cluster can share an atlas.
    ///
    /// ```swift
    /// print(KernelPath.machineCode)   // "avx512 kernels, OpenBLAS 0.3.21 core SkylakeX, 2 threads"
    /// ```
    package static var machineCode: String {
        let version = String(cString: openblas_get_config()).split(separator: " ").prefix(2).joined(separator: " ")
        return "\(current) kernels, \(version) core \(BLASCore.current.name), \(engineThreadCount) threads"
    }

    /// What decides which machine code computes a result: the CPU (model and feature flags), the
    /// vector-kernel build it dispatches to, the OpenBLAS build and the core it runs (its sgemm
    /// kernel), and the number of threads the engine splits work over. Results are bit-identical
    /// only along one path, so memoized renders key on this text.
    ///
    /// ```swift
    /// print(KernelPath.fingerprint)   // "cpu=Intel(R) Xeon(R) … flags=… kernels=avx512 blas=OpenBLAS 0.3.21 … core=SkylakeX threads=2"
    /// ```
    package static let fingerprint: String = {
        let flags = ProcFile.cpuInfoField("flags").split(separator: " ").sorted().joined(separator: " ")
        let blas = String(cString: openblas_get_config()) + " core=" + String(cString: openblas_get_corename())
        return "cpu=\(ProcFile.cpuInfoField("model name")) flags=\(flags) kernels=\(cpu) blas=\(blas) threads=\(engineThreadCount)"
    }()
}
