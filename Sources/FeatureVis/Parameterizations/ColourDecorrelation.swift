import Foundation
import Tensors

/// Lucid's colour decorrelation: the square root of ImageNet's RGB covariance, divided by its
/// largest column norm, applied per pixel as `rgb = t · Mᵀ` before the sigmoid.
///
/// Optimizing in these decorrelated coordinates makes a gradient step change luminance and the two
/// colour-opponent axes independently, instead of pushing R, G and B in lockstep.
///
/// ```swift
/// let m = ColourDecorrelation.matrix   // 3×3, rows are output channels (R, G, B)
/// ```
public enum ColourDecorrelation {
    /// `color_correlation_svd_sqrt` from Lucid/Lucent, unnormalized.
    public static let svdSqrt: [[Float]] = [
        [0.26, 0.09, 0.02],
        [0.27, 0.00, -0.05],
        [0.27, -0.09, 0.03],
    ]

    /// The largest column L2 norm of ``svdSqrt`` (≈ 0.46195).
    public static let maxColumnNorm: Float = (0..<3).map { j in
        svdSqrt.map { $0[j] * $0[j] }.reduce(0, +).squareRoot()
    }.max()!

    /// ``svdSqrt`` divided by ``maxColumnNorm``: `rgb[i] = Σⱼ matrix[i][j] · t[j]`.
    public static let matrix: [[Float]] = svdSqrt.map { $0.map { $0 / maxColumnNorm } }

    /// The inverse of ``matrix`` (to start from a photo).
    public static let inverse: [[Float]] = invert3x3(matrix)

    static func invert3x3(_ m: [[Float]]) -> [[Float]] {
        let a = m.map { $0.map(Double.init) }
        let det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        precondition(Swift.abs(det) > 1e-12, "singular colour matrix")
        var inv = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                // Cofactor of (j, i), for the adjugate.
                let r = [0, 1, 2].filter { $0 != j }, c = [0, 1, 2].filter { $0 != i }
                let minor = a[r[0]][c[0]] * a[r[1]][c[1]] - a[r[0]][c[1]] * a[r[1]][c[0]]
                inv[i][j] = ((i + j) % 2 == 0 ? 1 : -1) * minor / det
            }
        }
        return inv.map { $0.map(Float.init) }
    }
}
