// Row-major single-precision GEMM with implied strides, for the image-side ops in FeatureVis (the
// DFT matrices, Gram matrices): the engine's one door to OpenBLAS, `sgemm`, in their words.

/// C = alpha · op(A) · op(B) + beta · C, all row-major and packed. `op` transposes when the flag
/// is set.
///
/// `a` is m×k (or k×m when `transposeA`), `b` is k×n (or n×k when `transposeB`), `c` is m×n.
package func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, transposeB: Bool = false,
    _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
          a, lda: transposeA ? m : k, b, ldb: transposeB ? k : n, beta: beta, c, ldc: n)
}
