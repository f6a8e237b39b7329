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

    func testBasicMethodRaisesTheChannelOnTheFinalImage() throws {
        let visualizer = FeatureVisualizer(model: tiny)
        let v = try visualizer.visualizeFeature(layer: "features.4", channel: 3, size: 16, steps: 24, measure: false)
        XCTAssertEqual(v.method, .basic)
        XCTAssertEqual(v.history.count, 24)
        XCTAssertNil(v.metrics)
        // The image that comes out activates the channel more than the grey-ish image it started
        // from, measured without transforms (the history is measured through random transforms).
        let recipe = try Method.basic.recipe(layer: "features.4", channel: 3, size: 16, steps: 24, inputSize: tiny.inputSize)
        let objective = Objective.channel("features.4", 3)
        let before = try objective.evaluate(on: tiny, image: recipe.parameterization.image())
        let after = try objective.evaluate(on: tiny, image: v.image)
        XCTAssertGreaterThan(after, before * 1.1, "before \(before), after \(after)")
        XCTAssertGreaterThan(v.history.suffix(4).reduce(0, +), v.history.prefix(4).reduce(0, +))
        // One path: the visualizer's method is its recipe, rendered.
        XCTAssertEqual(try render(recipe, on: tiny).image.scalars, v.image.scalars)
    }

    func testMethodDefaultsAreTheDocumentedOnes() throws {
        let naive = try Method.naive.recipe(layer: "features.4", channel: 1, inputSize: tiny.inputSize)
        XCTAssertEqual(naive.steps, 100)
        XCTAssertEqual(naive.optimizer, .adam(learningRate: 0.1))
        XCTAssertEqual(naive.parameterization.basis, .pixel)
        XCTAssertEqual(naive.parameterization.range, .clamp)
        XCTAssertFalse(naive.parameterization.decorrelated)
        XCTAssertEqual(naive.parameterization.height, 16, "naive renders at the network's input size")
        XCTAssertTrue(naive.transforms.isEmpty)
        XCTAssertEqual(naive.scales, .single)
        let basic = try Method.basic.recipe(layer: "features.4", channel: 1, inputSize: tiny.inputSize)
        XCTAssertEqual([basic.parameterization.height, basic.steps], [128, 512])
        XCTAssertEqual(basic.optimizer, .adam(learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8))
        XCTAssertEqual(basic.parameterization.basis, .fourier(decayPower: 1))
        XCTAssertTrue(basic.parameterization.decorrelated)
        XCTAssertEqual(basic.parameterization.range, .sigmoid)
        XCTAssertEqual(basic.transforms.map(\.key), Transform.standard.map(\.key))
        XCTAssertEqual(try Method.multiscale.recipe(layer: "x", channel: 0, inputSize: 224).scales, .octaves(3, scale: 1.5))
        XCTAssertEqual(try Method.summedScales.recipe(layer: "x", channel: 0, inputSize: 224).scales, .summed(3, scale: 1.5))
        let diverse = try Method.diverse.recipe(layer: "x", channel: 0, inputSize: 224)
        XCTAssertEqual(diverse.parameterization.batch, 4)
        XCTAssertEqual(diverse.objective.name, "channel(x, 0) + 10·diversity(x)")
        XCTAssertEqual(Method(rawValue: "summed-scales"), .summedScales)
        XCTAssertEqual(Method.allCases.map(\.rawValue), ["basic", "naive", "multiscale", "diverse", "summed-scales",
                                                        "maco", "accentuate"])
    }

    /// A batch recipe is the method's single-channel recipe with the objective replaced and the
    /// starting image drawn for the whole batch.
    func testBatchRecipeKeepsTheMethodsRecipe() throws {
        let terms = [Objective.channel("features.4", 1, batch: 0), .channel("features.4", 5, batch: 1)]
        for method in [Method.basic, .naive] {
            let one = try method.recipe(layer: "features.4", channel: 1, size: 16, steps: 7, seed: 3, inputSize: tiny.inputSize)
            let batch = try method.recipe(for: terms[0] + terms[1], batch: 2, size: 16, steps: 7, seed: 3, inputSize: tiny.inputSize)
            XCTAssertEqual(batch.parameterization.batch, 2)
            XCTAssertEqual(batch.parameterization.basis, one.parameterization.basis)
            XCTAssertEqual(batch.parameterization.height, one.parameterization.height)
            XCTAssertEqual([batch.parameterization.seed, batch.seed], [one.parameterization.seed, one.seed])
            XCTAssertEqual(batch.optimizer, one.optimizer)
            XCTAssertEqual(batch.transforms.map(\.key), one.transforms.map(\.key))
            XCTAssertEqual(batch.steps, 7)
            XCTAssertEqual(batch.objective.name, (terms[0] + terms[1]).name)
            // Image 0 of the batch maximizes its own channel: it ends higher there than image 1.
            let image = try render(batch, on: tiny).image
            let a = try Measures.channelActivation(of: image, network: tiny, layer: "features.4", channel: 1)
            XCTAssertGreaterThan(a[0], a[1], "\(method)")
        }
        XCTAssertThrowsError(try Method.accentuate.recipe(for: terms[0], batch: 1, inputSize: 16))
        XCTAssertThrowsError(try Method.basic.recipe(for: terms[0], batch: 0, inputSize: 16))
    }

    func testMultiscaleContinuesFromTheUpsampledImage() throws {
        var recipe = try Method.multiscale.recipe(layer: "features.4", channel: 3, size: 16, steps: 40, learningRate: 0.1,
                                                  octaves: 2, octaveScale: 2, inputSize: tiny.inputSize)
        recipe.transforms = []
        XCTAssertEqual(recipe.sizes, [8, 16])
        XCTAssertEqual(octaveSizes(final: 128, octaves: 3, scale: 1.5), [57, 85, 128])
        var steps: [Int] = []
        let result = try render(recipe, on: tiny, progress: { steps.append($0.step) })
        XCTAssertEqual(result.image.shape, [1, 3, 16, 16])
        XCTAssertEqual(result.history.count, 40)
        XCTAssertEqual(steps, Array(1...40), "progress counts the steps of all octaves")
        // The second octave starts where the first ended (up to upsampling), not from grey.
        let (start, endOfFirst, startOfSecond) = (result.history[0], result.history[19], result.history[20])
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

    func testSummedScalesIsTheAverageOfIndependentRenders() throws {
        let v = try FeatureVisualizer(model: tiny).visualizeFeatureSummedScales(
            layer: "features.4", channel: 3, octaves: 2, octaveScale: 2, size: 16, steps: 5, seed: 4, measure: false)
        XCTAssertEqual(v.method, .summedScales)
        XCTAssertEqual(v.history.count, 10, "each scale runs all its steps from scratch")
        // Rebuild it by hand: the naive recipe at 8 and 16 px, seeds 4 and 5 for the images and
        // consecutive transform seeds, each upsampled to 16 px, then averaged.
        let naive = try Method.naive.recipe(layer: "features.4", channel: 3, steps: 5, seed: 4, inputSize: tiny.inputSize)
        var sum = Tensor(zeros: [1, 3, 16, 16])
        for (k, side) in [8, 16].enumerated() {
            var scale = naive
            scale.parameterization = naive.parameterization.reseeded(size: side, seed: 4 + UInt64(k))
            scale.seed = naive.seed &+ UInt64(k)
            let image = try render(scale, on: tiny).image
            sum.add(resizeBilinear(Tape().constant(image), height: 16, width: 16).value)
        }
        assertClose(v.image.scalars, sum.scalars.map { $0 / 2 }, accuracy: 0)
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

    /// A direct render validates as the visualizer does: typed errors, never a trap.
    func testADirectRenderThrowsForEveryArgumentOutOfRange() {
        let image = ImageParameterization.pixel(size: 16, batch: 2)
        let cases: [(Objective, any Error & Equatable)] = [
            (.channel("features.4", 999), ModelError.channelOutOfRange(999, layer: "features.4", channels: 16)),
            (.neuron("features.2", -1), ModelError.channelOutOfRange(-1, layer: "features.2", channels: 8)),
            (.classLogit(10), ModelError.channelOutOfRange(10, layer: "classifier", channels: 10)),
            (.channel("features.4", 0, batch: 2), FeatureVisError.invalidArgument(name: "batch index", value: "2", valid: "0…1")),
            (.l1(batch: -1), FeatureVisError.invalidArgument(name: "batch index", value: "-1", valid: "0…1")),
            (.channel(Objective.image, 3), ModelError.channelOutOfRange(3, layer: "image", channels: 3)),
            (.direction("features.4", [1, 2, 3]),
             FeatureVisError.invalidArgument(name: "direction vector", value: "of 3 entries",
                                             valid: "16 entries, one per channel of `features.4`")),
        ]
        for (objective, expected) in cases {
            XCTAssertThrowsError(try render(Recipe(objective, from: image, steps: 1), on: tiny), objective.name) { error in
                XCTAssertEqual("\(error)", "\(expected)", objective.name)
            }
            XCTAssertThrowsError(try objective.evaluate(on: tiny, image: image.image()), objective.name)
        }
        let ok = Recipe(.channel("features.4", 0), from: image, steps: 1)
        for bad in [Recipe.Scales.octaves(0, scale: 1.5), .summed(9, scale: 1.5), .octaves(2, scale: 1)] {
            var recipe = ok
            recipe.scales = bad
            XCTAssertThrowsError(try render(recipe, on: tiny), "\(bad)") { error in
                guard case .invalidArgument? = error as? FeatureVisError else { return XCTFail("\(error)") }
            }
        }
        var recipe = ok
        recipe.optimizer = .adam(learningRate: .nan)
        XCTAssertThrowsError(try render(recipe, on: tiny)) { error in
            XCTAssertEqual(error as? FeatureVisError, .invalidArgument(name: "learningRate", value: "nan", valid: "finite and > 0"))
        }
    }
}
