// The engine's doors to OpenBLAS and to the machine's cores. Everything GEMM-shaped goes through
// `sgemm`; everything split across threads goes through `parallelFor`.
internal import CBLAS
internal import CKernels
import Foundation

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

/// The number of threads the engine's own kernels use (the machine's active cores).
let engineThreadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Chunks per thread of a parallel job: enough that a thread that starts late (a worker waking
/// up) or runs slow takes fewer of them instead of leaving the others waiting.
let chunksPerThread = 4

/// Runs `body(range)` over `count` items split into up to `4 × engineThreadCount` contiguous
/// chunks, on the engine's thread pool (`fv_pool_run`): the calling thread and the workers claim
/// chunks as they come free. Small jobs (`count * costPerItem` below ~32k) run inline on the
/// calling thread. The chunks depend only on `count`, so results never depend on the scheduling.
/// Public so the image-side ops in FeatureVis split their work the same way.
@inline(__always)
public func parallelFor(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = min(count, engineThreadCount * chunksPerThread)
    if chunks <= 1 || count * costPerItem < 32_768 {
        if count > 0 { body(0..<count) }
        return
    }
    withoutActuallyEscaping(body) { body in
        var job = ParallelJob(count: count, chunks: chunks, body: body)
        withUnsafeMutablePointer(to: &job) { pointer in
            fv_pool_run(chunks, { context, chunk in
                let job = context!.assumingMemoryBound(to: ParallelJob.self).pointee
                job.body((job.count * chunk / job.chunks)..<(job.count * (chunk + 1) / job.chunks))
            }, pointer, Int32(engineThreadCount))
        }
    }
}

/// One `parallelFor` call as the pool's chunk function sees it.
private struct ParallelJob {
    let count: Int, chunks: Int
    let body: (Range<Int>) -> Void
}
