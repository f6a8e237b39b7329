// Row-major single-precision GEMM through OpenBLAS, for the DFT matrices and Gram matrices.
// FeatureVis reaches CBLAS through Tensors' dependency; it stays out of the public interface.
internal import CBLAS

/// C = alpha · op(A) · op(B) + beta · C, all row-major. `op` transposes when the flag is set.
///
/// `a` is m×k (or k×m when `transposeA`), `b` is k×n (or n×k when `transposeB`), `c` is m×n.
func gemm(
    _ a: UnsafePointer<Float>, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, transposeB: Bool = false,
    _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    let lda = transposeA ? m : k
    let ldb = transposeB ? k : n
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(n))
}
