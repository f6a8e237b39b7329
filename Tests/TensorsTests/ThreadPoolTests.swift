import Foundation
import Tensors
import XCTest

/// `parallelFor` on the engine's thread pool: every item exactly once, chunks that depend only on
/// the item count, work on every thread, and callers that nest or race fall back to running inline.
final class ThreadPoolTests: XCTestCase {
    /// The ranges `parallelFor` hands out for `count` items, as (lowerBound, upperBound) pairs.
    private func ranges(_ count: Int, cost: Int = 1 << 20) -> [Range<Int>] {
        let lock = NSLock()
        var seen: [Range<Int>] = []
        parallelFor(count, costPerItem: cost) { r in lock.withLock { seen.append(r) } }
        return seen.sorted { $0.lowerBound < $1.lowerBound }
    }

    func testEveryItemRunsExactlyOnceInContiguousChunks() {
        for count in [0, 1, 2, 3, 7, 8, 9, 31, 1000, 100_003] {
            let got = ranges(count)
            XCTAssertEqual(got.map(\.count).reduce(0, +), count, "\(count) items")
            var next = 0
            for r in got {
                XCTAssertEqual(r.lowerBound, next, "chunks of \(count) items leave a gap or overlap: \(got)")
                XCTAssertFalse(r.isEmpty, "an empty chunk for \(count) items")
                next = r.upperBound
            }
            XCTAssertEqual(next, count)
        }
    }

    func testChunksDependOnlyOnTheCount() {
        // Results never depend on scheduling: the same count gives the same chunks every time.
        let first = ranges(1000)
        XCTAssertGreaterThan(first.count, EngineThreads.count, "more chunks than threads, for balance")
        for _ in 0..<20 { XCTAssertEqual(ranges(1000), first) }
        XCTAssertEqual(ranges(1000, cost: 1), [0..<1000], "a small job runs inline as one range")
    }

    func testChunksShrinkTowardsTheEnd() {
        // The last chunks to be claimed are small, so no thread waits long for the others to finish.
        let sizes = ranges(1000).map(\.count)
        XCTAssertEqual(sizes, sizes.sorted(by: >), "chunk sizes fall: \(sizes)")
        XCTAssertLessThanOrEqual(sizes.last!, 1000 / sizes.count / 4, "the last chunk is a small part of an equal share: \(sizes)")
    }

    func testWorkersShareTheChunks() {
        let lock = NSLock()
        var threads = Set<UInt>()
        parallelFor(16, costPerItem: 1 << 20) { _ in
            lock.withLock { _ = threads.insert(UInt(pthread_self())) }
            usleep(3000)
        }
        XCTAssertEqual(threads.count, EngineThreads.count, "16 chunks of 3 ms ran on \(threads.count) of \(EngineThreads.count) threads")
    }

    func testNestedAndConcurrentCallersGetCorrectResults() {
        // Four threads at once, each with a parallel job whose chunks start nested jobs.
        let n = 257
        var sums = [Int](repeating: 0, count: 4)
        sums.withUnsafeMutableBufferPointer { sums in
            let sums = UncheckedPointer(sums.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: 4) { caller in
                var cells = [Int](repeating: 0, count: n * n)
                cells.withUnsafeMutableBufferPointer { cells in
                    let cells = UncheckedPointer(cells.baseAddress!)
                    parallelFor(n, costPerItem: 1 << 20) { rows in
                        for row in rows {
                            parallelFor(n, costPerItem: 1 << 20) { cols in
                                for col in cols { cells.pointer[row * n + col] += row * n + col + caller }
                            }
                        }
                    }
                }
                sums.pointer[caller] = cells.reduce(0, +)
            }
        }
        for caller in 0..<4 { XCTAssertEqual(sums[caller], (n * n) * (n * n - 1) / 2 + caller * n * n) }
    }
}

/// A pointer the test's closures may share across threads (each thread writes its own cells).
private struct UncheckedPointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
