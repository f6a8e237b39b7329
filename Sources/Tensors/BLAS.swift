// The engine's door to OpenBLAS: everything GEMM-shaped goes through `sgemm` (and everything split
// across threads goes through `parallelFor`, ThreadPool.swift).
internal import CBLAS

/// C = alpha·op(A)·op(B) + beta·C in row-major layout, on raw buffers.
///
/// `op(A)` is m×k, `op(B)` is k×n, `C` is m×n; `lda`, `ldb`, `ldc` are the row strides of the
/// stored (untransposed) matrices.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
           _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
           beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    _ = blasSingleThreaded
    guard k > 0 else {
        // BLAS leaves C untouched for k == 0 only when beta == 1; make the empty product explicit.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
        return
    }
    countGEMM(m: m, n: n, k: k)
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// OpenBLAS runs on the calling thread: the engine splits work across cores itself (tiles of
/// convolutions, columns of large products), which beats OpenBLAS's threading on the small
/// products of a convolutional network and avoids its spinning threads competing with ours.
let blasSingleThreaded: Void = openblas_set_num_threads(1)
