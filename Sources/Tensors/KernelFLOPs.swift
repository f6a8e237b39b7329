// How much arithmetic the engine's kernels actually run, counted where it runs: every sgemm and
// every depthwise convolution (forward and gradient). A benchmark turns times into GFLOP/s with it.
internal import CKernels

/// Floating-point operations (a multiply-add is 2) the engine's kernels ran, by kernel family.
public struct KernelFLOPs: Equatable, Sendable, Codable {
    /// Every GEMM-shaped product through `sgemm`: 1×1 and im2col convolutions, their gradients,
    /// linear layers, matrix products.
    public var gemm: Double
    /// Depthwise convolutions and their input gradients.
    public var depthwise: Double
    public var total: Double { gemm + depthwise }

    public init(gemm: Double, depthwise: Double) {
        self.gemm = gemm
        self.depthwise = depthwise
    }

    /// Runs `body` and counts the work the kernels ran meanwhile, on every thread. Not reentrant:
    /// one count at a time in a process.
    public static func counting<T>(_ body: () throws -> T) rethrows -> (result: T, flops: KernelFLOPs) {
        fv_flops_begin()
        var gemm: UInt64 = 0, depthwise: UInt64 = 0
        let result: T
        do {
            result = try body()
        } catch {
            fv_flops_end(&gemm, &depthwise)
            throw error
        }
        fv_flops_end(&gemm, &depthwise)
        return (result, KernelFLOPs(gemm: Double(gemm), depthwise: Double(depthwise)))
    }
}

/// Counts `2·m·n·k` of GEMM work (a no-op unless counting).
@inline(__always)
func countGEMM(m: Int, n: Int, k: Int) { fv_flops_add(Int32(FV_FLOPS_GEMM), UInt64(2 * m * n * k)) }

/// Counts the depthwise work of `planes` output planes (a no-op unless counting).
@inline(__always)
func countDepthwise(planes: Int, _ geo: ConvGeometry) {
    fv_flops_add(Int32(FV_FLOPS_DEPTHWISE), UInt64(2 * planes * geo.outPlane * geo.kernelHeight * geo.kernelWidth))
}
