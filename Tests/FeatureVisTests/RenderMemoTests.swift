import XCTest
import Models
import RenderCache
import Tensors
@testable import FeatureVis

/// Memoized renders: a hit is exactly what a fresh run produces, and anything that decides the
/// result (recipe, weights) is in the key.
final class RenderMemoTests: XCTestCase {
    var folder: URL!
    lazy var tiny: TinyNet = try! TinyNet.load(from: RenderTests.tinyPath)

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("render-memo-\(UUID())")
    }

    override func tearDown() {
        RenderMemo.disable()
        try? FileManager.default.removeItem(at: folder)
    }

    func recipe(steps: Int = 12, seed: UInt64 = 3) -> Recipe {
        Recipe(.channel("features.4", 3), from: .fourier(size: 16, seed: seed), steps: steps)
    }

    /// The bytes that matter: the PNG of the image, the final parameters and the history, bit for bit.
    func bytes(_ result: RenderResult) throws -> [Data] {
        let bits = { (values: [Float]) in Data(values.flatMap { withUnsafeBytes(of: $0.bitPattern) { Array($0) } }) }
        return [try PNG.encode(result.image), bits(result.image.scalars), bits(result.history)]
            + result.parameterization.parameters.map { bits($0.scalars) } + [bits(result.parameterization.image().scalars)]
    }

    func testStoredRenderIsExactlyAFreshRun() throws {
        let fresh = try bytes(render(recipe(), on: tiny))             // no store
        RenderMemo.enable(folder: folder.path)
        let hitsBefore = RenderMemo.hits
        let first = try render(recipe(), on: tiny)                  // a miss: runs and stores
        XCTAssertEqual(RenderMemo.hits, hitsBefore)
        var steps: [Int] = []
        let second = try render(recipe(), on: tiny) { steps.append($0.step) }   // a hit
        XCTAssertEqual(RenderMemo.hits, hitsBefore + 1, "the second render is read from the store")
        XCTAssertEqual(try bytes(first), fresh)
        XCTAssertEqual(try bytes(second), fresh)
        XCTAssertEqual(steps, Array(1...12), "a hit reports the render's steps as a run does")
    }

    func testWhatDecidesTheResultIsInTheKey() throws {
        RenderMemo.enable(folder: folder.path)
        _ = try render(recipe(), on: tiny)
        let hits = RenderMemo.hits
        let otherSeed = try render(recipe(seed: 4), on: tiny)
        let otherSteps = try render(recipe(steps: 13), on: tiny)
        XCTAssertEqual(RenderMemo.hits, hits, "another seed or step count is a miss")
        XCTAssertEqual(otherSteps.history.count, 13)
        // The same architecture with one weight changed: another digest, another result.
        var entries: [(String, Tensor)] = []
        let checkpoint = try Checkpoint(contentsOf: RenderTests.tinyPath)
        for key in checkpoint.keys { entries.append((key, checkpoint[key]!)) }
        entries[0].1.scalars[0] += 0.5
        let changed = try TinyNet(checkpoint: Checkpoint(entries: entries))
        XCTAssertNotEqual(changed.weightsDigest, tiny.weightsDigest)
        let onChanged = try render(recipe(seed: 4), on: changed)
        XCTAssertEqual(RenderMemo.hits, hits, "other weights are a miss")
        XCTAssertNotEqual(onChanged.image, otherSeed.image)
    }

    func testCustomObjectiveWithoutAKeyIsNeverStored() throws {
        RenderMemo.enable(folder: folder.path)
        let custom = Objective(name: "mine", layers: ["features.4"]) { $0["features.4"].mean() }
        let stores = RenderMemo.stores
        _ = try render(Recipe(custom, from: .fourier(size: 16, seed: 1), steps: 4), on: tiny)
        _ = try render(Recipe(custom, from: .fourier(size: 16, seed: 1), steps: 4), on: tiny)
        XCTAssertEqual(RenderMemo.stores, stores, "an unkeyed objective's body may change under the same name")
        let keyed = Objective(name: "mine", key: "mine-v1", layers: ["features.4"]) { $0["features.4"].mean() }
        _ = try render(Recipe(keyed, from: .fourier(size: 16, seed: 1), steps: 4), on: tiny)
        XCTAssertEqual(RenderMemo.stores, stores + 1)
    }

    func testCorruptEntryIsRecomputedAndReplaced() throws {
        RenderMemo.enable(folder: folder.path)
        let expected = try bytes(render(recipe(), on: tiny))
        let store = try XCTUnwrap(RenderMemo.store)
        let entries = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".render") }
        XCTAssertEqual(entries.count, 1)
        let file = folder.appendingPathComponent(entries[0])
        let data = try Data(contentsOf: file)
        try data.prefix(data.count / 2).write(to: file)            // a crash mid-write, without the rename
        let hits = RenderMemo.hits
        XCTAssertEqual(try bytes(render(recipe(), on: tiny)), expected)
        XCTAssertEqual(RenderMemo.hits, hits, "a truncated entry is a miss")
        XCTAssertEqual(try bytes(render(recipe(), on: tiny)), expected)
        XCTAssertEqual(RenderMemo.hits, hits + 1, "the entry was replaced whole: the next render is a hit")
        XCTAssertLessThanOrEqual(store.size, store.limit)
    }

    func testMetricsAreMemoizedExactly() throws {
        let visualizer = FeatureVisualizer(model: tiny)
        let image = try render(recipe(), on: tiny).image
        let fresh = try visualizer.metrics(of: image, layer: "features.4", channel: 3)
        RenderMemo.enable(folder: folder.path)
        _ = try visualizer.metrics(of: image, layer: "features.4", channel: 3)
        let hits = RenderMemo.hits
        let stored = try visualizer.metrics(of: image, layer: "features.4", channel: 3)
        XCTAssertEqual(RenderMemo.hits, hits + 1)
        XCTAssertEqual(stored, fresh)
        XCTAssertEqual(stored.robustness.bitPattern, fresh.robustness.bitPattern)
    }
}
