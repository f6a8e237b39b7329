// Which OpenBLAS kernels this process runs, and why (the correction itself is CKernels'
// blas_core.c, a load-time constructor).
internal import CKernels

/// The OpenBLAS core (its family of kernels, e.g. `SkylakeX`) this process runs, and why.
public struct BLASCore: Sendable, Equatable, CustomStringConvertible {
    /// Why the core in use is the one it is.
    public enum Reason: Sendable, Equatable {
        /// OpenBLAS's own choice, as strong as the CPU supports (or a core the engine does not know).
        case chosenByOpenBLAS
        /// OpenBLAS had picked a weaker core, or Zen (named here); the engine replaced it at load.
        case corrected(from: String)
        /// `OPENBLAS_CORETYPE` names a core OpenBLAS knows: the user's choice, left alone.
        case setByUser
    }

    public let name: String
    public let reason: Reason

    /// The core of this process.
    public static var current: BLASCore {
        let name = String(cString: fv_blas_core_name())
        switch fv_blas_core_reason() {
        case Int32(FV_BLAS_CORE_CORRECTED):
            return BLASCore(name: name, reason: .corrected(from: String(cString: fv_blas_core_replaced())))
        case Int32(FV_BLAS_CORE_USER): return BLASCore(name: name, reason: .setByUser)
        default: return BLASCore(name: name, reason: .chosenByOpenBLAS)
        }
    }

    /// The core this CPU supports by cpuid (`SkylakeX` for AVX-512, `Haswell` for AVX2 + FMA), or
    /// nil when it has neither.
    public static var supportedByCPU: String? { fv_cpu_blas_core().map { String(cString: $0) } }

    /// Whether the load-time correction replaces core `have` by the CPU's core `want`: `have` is
    /// weaker, or is `Zen` where `Haswell` runs the same sgemm kernels with a faster β pass.
    public static func replaces(_ have: String, with want: String) -> Bool {
        fv_blas_core_replaceable(have, want) != 0
    }

    /// The vector level of a core name: 3 AVX-512, 2 AVX2 + FMA, 1 AVX, 0 SSE; nil when unknown.
    public static func level(of name: String) -> Int? {
        let level = fv_blas_core_level(name)
        return level < 0 ? nil : Int(level)
    }

    /// "SkylakeX (corrected from Prescott)", "Haswell (chosen by OpenBLAS)",
    /// "Prescott (set by the user: OPENBLAS_CORETYPE)".
    public var description: String { "\(name) (\(why))" }

    /// "corrected from Prescott", "chosen by OpenBLAS", "set by the user: OPENBLAS_CORETYPE".
    public var why: String {
        switch reason {
        case .chosenByOpenBLAS: return "chosen by OpenBLAS"
        case .corrected(let from): return "corrected from \(from)"
        case .setByUser: return "set by the user: OPENBLAS_CORETYPE"
        }
    }
}
