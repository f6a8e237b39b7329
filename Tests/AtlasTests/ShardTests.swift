import XCTest
@testable import Atlas

final class ShardTests: XCTestCase {
    func testParsesIndexOverCount() throws {
        XCTAssertEqual(try Shard(parsing: "2/8"), Shard(index: 2, count: 8))
        XCTAssertEqual(try Shard(parsing: "0/1"), .whole)
        for bad in ["8/8", "-1/3", "1", "a/b", "1/0", "1/2/3", ""] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("--shard"), "\(error)")
            }
        }
    }

    func testSlurmArrayIndexIsRelativeToTheArraysFirstIdAndStep() throws {
        XCTAssertEqual(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]),
                       Shard(index: 3, count: 4))
        XCTAssertEqual(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1",
                                               "SLURM_ARRAY_TASK_COUNT": "8"]), Shard(index: 4, count: 8))
        // --array=10-16:2 → ids 10, 12, 14, 16 are shards 0…3.
        XCTAssertEqual(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "14", "SLURM_ARRAY_TASK_MIN": "10",
                                               "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "4"]),
                       Shard(index: 2, count: 4))
        XCTAssertThrowsError(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"])) {
            XCTAssertTrue("\($0)".contains("SLURM_ARRAY_TASK_ID"), "\($0)")
        }
        XCTAssertThrowsError(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "1"])) {
            XCTAssertTrue("\($0)".contains("SLURM_ARRAY_TASK_COUNT"), "\($0)")
        }
        XCTAssertThrowsError(try Shard(environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"]))
    }

    func testKubernetesIndexedJobNeedsItsCompletions() throws {
        XCTAssertEqual(try Shard(environment: ["JOB_COMPLETION_INDEX": "6", "JOB_COMPLETIONS": "16"]), Shard(index: 6, count: 16))
        XCTAssertThrowsError(try Shard(environment: ["JOB_COMPLETION_INDEX": "6"])) {
            XCTAssertTrue("\($0)".contains("JOB_COMPLETIONS"), "\($0)")
        }
        XCTAssertNil(try Shard(environment: ["PATH": "/bin"]))
    }
}

final class PlanTests: XCTestCase {
    private let layers = [(name: "a", channels: 20), (name: "b", channels: 5), (name: "c", channels: 16)]

    func testBatchesAreConsecutiveChannelsFromZero() {
        let plan = AtlasPlan(layers: layers, batchSize: 8)
        XCTAssertEqual(plan.batches, [
            AtlasBatch(layer: "a", channels: 0..<8), AtlasBatch(layer: "a", channels: 8..<16), AtlasBatch(layer: "a", channels: 16..<20),
            AtlasBatch(layer: "b", channels: 0..<5),
            AtlasBatch(layer: "c", channels: 0..<8), AtlasBatch(layer: "c", channels: 8..<16),
        ])
        XCTAssertEqual(plan.channelCount, 41)
    }

    func testShardsPartitionTheBatchesWhateverTheirCount() {
        let plan = AtlasPlan(layers: layers, batchSize: 4)
        for n in 1...8 {
            let parts = (0..<n).map { plan.batches(for: Shard(index: $0, count: n)) }
            XCTAssertEqual(parts.flatMap { $0 }.sorted { "\($0)" < "\($1)" }, plan.batches.sorted { "\($0)" < "\($1)" }, "n = \(n)")
            XCTAssertEqual(Set(parts.flatMap { $0 }).count, plan.batches.count, "n = \(n): a batch in two shards")
            let sizes = parts.map { $0.count }
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "n = \(n): unbalanced \(sizes)")
        }
    }
}
