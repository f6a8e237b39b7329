// The machine's sgemm peak, measured in the benchmark's own process through Tensors.
import Tensors

/// OpenBLAS sgemm throughput on a square product, in GFLOP/s, per thread count.
struct SgemmPeak: Codable {
    struct Run: Codable {
        let threads: Int
        let gflops: Stats
    }

    let size: Int
    let runs: [Run]
    /// How many measurement sessions the figures are the best of (by the 2-thread median).
    var sessions = 1

    /// The GFLOP/s with `threads` threads, if measured.
    func gflops(threads: Int) -> Stats? { runs.first { $0.threads == threads }?.gflops }

    /// Multiplies two seeded random `size × size` matrices `repetitions` times with each thread
    /// count (after one untimed product), then restores OpenBLAS's thread setting.
    static func measure(size: Int = 1024, threadCounts: [Int] = [1, 2], repetitions: Int) -> SgemmPeak {
        let runs = threadCounts.map { threads in
            Run(threads: threads, gflops: Stats(sgemmThroughput(size: size, threads: threads, repetitions: repetitions)))
        }
        return SgemmPeak(size: size, runs: runs, sessions: 1)
    }
}

