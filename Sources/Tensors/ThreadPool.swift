// The engine's cores: everything split across threads goes through `parallelFor`, which runs on
// the C thread pool of CKernels/pool.c.
internal import CKernels
import Foundation

/// The number of threads the engine's own kernels use (the machine's active cores).
let engineThreadCount: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

/// Chunks per thread of a parallel job: enough that a thread that starts late (a worker waking
/// up) or runs slow takes fewer of them instead of leaving the others waiting.
let chunksPerThread = 4

/// The first item of chunk `chunk` of `count` items in `chunks` chunks. Chunks shrink towards the
/// end (sizes fall linearly, each at least one item): the pool hands them out in order, so the
/// last ones to run are small, and the thread that finishes first waits at most one small chunk
/// for the other instead of up to one of `chunks` equal parts of the job.
@inline(__always)
func chunkStart(_ chunk: Int, of chunks: Int, count: Int) -> Int {
    let spare = count - chunks, left = chunks - chunk
    return chunk + spare - spare * left * left / (chunks * chunks)
}

/// Runs `body(range)` over `count` items split into up to `4 × engineThreadCount` contiguous
/// chunks (`chunkStart`), on the engine's thread pool (`fv_pool_run`): the calling thread and the
/// workers claim chunks as they come free. Small jobs (`count * costPerItem` below ~32k) run
/// inline on the calling thread. The chunks depend only on `count`, so results never depend on the
/// scheduling. Public so the image-side ops in FeatureVis split their work the same way.
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
                job.body(chunkStart(chunk, of: job.chunks, count: job.count)..<chunkStart(chunk + 1, of: job.chunks, count: job.count))
            }, pointer, Int32(engineThreadCount))
        }
    }
}

/// Runs `body(range)` over the indices `0..<count` of a flat array, in blocks of 4096 split over the
/// cores (`parallelFor`); an array whose `count × costPerScalar` is under ~32k is one range on the
/// calling thread. For element-wise loops: every index is computed the same way whatever the split.
@inline(__always)
public func parallelForScalars(_ count: Int, costPerScalar: Int = 1, _ body: (Range<Int>) -> Void) {
    parallelFor((count + 4095) / 4096, costPerItem: 4096 * costPerScalar) { blocks in
        body(blocks.lowerBound * 4096..<min(count, blocks.upperBound * 4096))
    }
}

/// One `parallelFor` call as the pool's chunk function sees it.
private struct ParallelJob {
    let count: Int, chunks: Int
    let body: (Range<Int>) -> Void
}

/// The engine's thread pool as benchmarks see it.
public enum EngineThreads {
    /// Threads that run the engine's parallel kernels (the caller's and the pool's workers).
    public static var count: Int { engineThreadCount }

    /// CPU seconds the pool's threads have spent spinning for work since the process started:
    /// CPU time that counts as busy in `getrusage` but computed nothing.
    public static var spinSeconds: Double { Double(fv_pool_spun_ns()) / 1e9 }
}
