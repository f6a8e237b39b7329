import XCTest
import Models
import Tensors
@testable import FeatureVis

final class RenderTests: XCTestCase {
    static let tinyPath = FittingTests.repo.appendingPathComponent("Tests/Fixtures/reference/tiny-zip.pth").path
    lazy var tiny: TinyNet = try! TinyNet.load(from: Self.tinyPath)

    func testAdamFirstStepMovesEachParameterByTheLearningRate() {
        var adam = Adam(learningRate: 0.1)
        var p = [Tensor(shape: [3], scalars: [1, 1, 1])]
        adam.ascend(&p, along: [Tensor(shape: [3], scalars: [2, -0.5, 0])])
        // m̂ = g, v̂ = g²: the step is lr · g / (|g| + ε).
        assertClose(p[0].scalars, [1.1, 0.9, 1], accuracy: 1e-6)
        adam.ascend(&p, along: [Tensor(shape: [3], scalars: [2, 0.5, 0])])
        // Second step for the middle entry: m = 0.9·(−0.05) + 0.1·0.5 = 0.005 → m̂ = 0.005/0.19;
        // v = 0.999·0.00025 + 0.001·0.25 = 0.00049975 → v̂ = v/0.001999.
        let mHat: Float = 0.005 / 0.19, vHat: Float = 0.00049975 / 0.001999
        XCTAssertEqual(p[0][1], 0.9 + 0.1 * mHat / vHat.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(adam.step, 2)
    }

    func testSameSeedGivesIdenticalImageBytes() throws {
        let v = FeatureVisualizer(model: tiny)
        func run(_ seed: UInt64) throws -> Data {
            try PNG.encode(v.visualizeFeature(layer: "features.4", channel: 3, size: 16, steps: 8, seed: seed, measure: false).image)
        }
        XCTAssertEqual(try run(7), try run(7))
        XCTAssertNotEqual(try run(7), try run(8))
    }

    func testBasicMethodRaisesTheChannelAndRecordsHistory() throws {
        let v = try FeatureVisualizer(model: tiny).visualizeFeature(layer: "features.4", channel: 3, size: 16, steps: 24,
                                                                    measure: false)
        XCTAssertEqual(v.method, "basic")
        XCTAssertEqual(v.history.count, 24)
        XCTAssertEqual(v.image.shape, [1, 3, 16, 16])
        XCTAssertGreaterThan(v.history.suffix(4).reduce(0, +), v.history.prefix(4).reduce(0, +))
        XCTAssertTrue(v.image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertNil(v.metrics)
    }

    func testNaiveSettingsAreTheArticlesLoop() throws {
        let naive = VisualizationSettings.naive
        XCTAssertEqual(naive.steps, 100)
        XCTAssertEqual(naive.learningRate, 0.1)
        XCTAssertEqual(naive.basis, .pixel)
        XCTAssertEqual(naive.range, .clamp)
        XCTAssertFalse(naive.decorrelated)
        XCTAssertTrue(naive.transforms.isEmpty)
        let regularized = VisualizationSettings.regularized
        XCTAssertEqual([regularized.size, regularized.steps], [128, 512])
        XCTAssertEqual(regularized.learningRate, 0.05)
        XCTAssertEqual(regularized.basis, .fourier(decayPower: 1))
        XCTAssertEqual(regularized.transforms.map(\.name), Transform.standard.map(\.name))
        let v = try FeatureVisualizer(model: tiny).visualizeFeature(layer: "features.4", channel: 1, steps: 10,
                                                                    settings: .naive, measure: false)
        XCTAssertEqual(v.method, "naive")
        XCTAssertEqual(v.image.shape, [1, 3, 16, 16], "naive renders at the network's input size")
    }

    func testMultiscaleContinuesFromTheUpsampledImage() throws {
        var settings = VisualizationSettings.regularized
        settings.transforms = []
        let v = try FeatureVisualizer(model: tiny).visualizeFeatureMultiscale(
            layer: "features.4", channel: 3, octaves: 2, octaveScale: 2, size: 16, steps: 40, learningRate: 0.1,
            settings: settings, measure: false)
        XCTAssertEqual(octaveSizes(final: 16, octaves: 2, scale: 2), [8, 16])
        XCTAssertEqual(octaveSizes(final: 128, octaves: 3, scale: 1.5), [57, 85, 128])
        XCTAssertEqual(v.image.shape, [1, 3, 16, 16])
        XCTAssertEqual(v.history.count, 40)
        // The second octave starts where the first ended (up to upsampling), not from grey.
        let (start, endOfFirst, startOfSecond) = (v.history[0], v.history[19], v.history[20])
        XCTAssertGreaterThan(endOfFirst - start, 0.01)
        XCTAssertLessThan(abs(startOfSecond - endOfFirst), 0.25 * abs(endOfFirst - start))
    }

    func testDiverseOptimizesABatchWithTheDiversityTerm() throws {
        let visualizer = FeatureVisualizer(model: tiny)
        let v = try visualizer.visualizeFeatureDiverse(layer: "features.4", channel: 3, samples: 3,
                                                       size: 16, steps: 30, measure: true)
        XCTAssertEqual(v.image.shape, [3, 3, 16, 16])
        XCTAssertEqual(v.objective, "channel(features.4, 3) + 10·diversity(features.4)")
        XCTAssertNotNil(v.metrics?.batchSimilarity)
        let same = try visualizer.visualizeFeatureDiverse(layer: "features.4", channel: 3, samples: 3, diversityWeight: 0,
                                                          size: 16, steps: 30, measure: true)
        // The diversity term did its job: the Gram matrices of the batch are less alike.
        let diversity = Objective.diversity("features.4")
        XCTAssertGreaterThan(try diversity.evaluate(on: tiny, image: v.image), try diversity.evaluate(on: tiny, image: same.image))
    }

    func testSummedScalesAveragesIndependentImages() throws {
        let v = try FeatureVisualizer(model: tiny).visualizeFeatureSummedScales(
            layer: "features.4", channel: 3, octaves: 2, octaveScale: 2, size: 16, steps: 5, measure: false)
        XCTAssertEqual(v.method, "summed-scales")
        XCTAssertEqual(v.image.shape, [1, 3, 16, 16])
        XCTAssertEqual(v.history.count, 10, "each scale runs all its steps from scratch")
    }

    func testInputsAreValidated() {
        let v = FeatureVisualizer(model: tiny)
        XCTAssertThrowsError(try v.visualizeFeature(layer: "features.3", channel: 0, steps: 1)) { error in
            guard case .unknownLayer("features.3", "tiny", _)? = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("did you mean"), "\(error)")
        }
        XCTAssertThrowsError(try v.visualizeFeature(layer: "features.4", channel: 16, steps: 1)) { error in
            XCTAssertEqual(error as? ModelError, .channelOutOfRange(16, layer: "features.4", channels: 16))
        }
        XCTAssertThrowsError(try v.visualizeFeature(layer: "features.4", channel: 0, size: 0)) { error in
            XCTAssertEqual(error as? FeatureVisError, .invalidArgument(name: "size", value: "0", valid: "8…4096"))
        }
        XCTAssertThrowsError(try v.visualizeFeature(layer: "features.4", channel: 0, steps: -3)) { error in
            XCTAssertEqual(error as? FeatureVisError, .invalidArgument(name: "steps", value: "-3", valid: "1…1000000"))
        }
        XCTAssertThrowsError(try v.visualizeFeatureDiverse(layer: "features.4", channel: 0, samples: 0)) { error in
            XCTAssertEqual(error as? FeatureVisError, .invalidArgument(name: "samples", value: "0", valid: "1…64"))
        }
    }
}
