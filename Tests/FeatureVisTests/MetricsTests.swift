import XCTest
import Models
import Tensors
@testable import FeatureVis

final class MetricsTests: XCTestCase {
    lazy var tiny: TinyNet = try! TinyNet.load(from: RenderTests.tinyPath)

    func testHighFrequencyShare() {
        XCTAssertEqual(Measures.highFrequencyShare(of: Tensor(shape: [1, 3, 8, 8], repeating: 0.3)), 0)
        // A pixel checkerboard is all Nyquist.
        let checker = Tensor(shape: [1, 3, 8, 8], scalars: (0..<192).map { i in Float(((i % 64) / 8 + i % 8) % 2) })
        XCTAssertEqual(Measures.highFrequencyShare(of: checker), 1, accuracy: 1e-5)
        // One slow cosine period across the image is all low frequency.
        let slow = Tensor(shape: [1, 3, 8, 8], scalars: (0..<192).map { i in 0.5 + 0.4 * Float(Foundation.cos(2 * Double.pi * Double(i % 8) / 8)) })
        XCTAssertEqual(Measures.highFrequencyShare(of: slow), 0, accuracy: 1e-5)
        // A cosine at 3/8 cycles per pixel (above 0.25) is high; mixed equally with one at 1/8, half.
        let mixed = Tensor(shape: [1, 3, 8, 8], scalars: (0..<192).map { i in
            let x = Double(i % 8)
            return Float(0.5 + 0.2 * Foundation.cos(2 * Double.pi * x / 8) + 0.2 * Foundation.cos(2 * Double.pi * 3 * x / 8))
        })
        XCTAssertEqual(Measures.highFrequencyShare(of: mixed), 0.5, accuracy: 1e-4)
        // Noise is mostly high frequency (3/4 of the bins lie outside radius 0.25... about 80%).
        XCTAssertGreaterThan(Measures.highFrequencyShare(of: seededUniform([1, 3, 32, 32], seed: 3)), 0.7)
    }

    func testChannelActivationAndRobustness() throws {
        let image = seededUniform([2, 3, 16, 16], seed: 1)
        let tape = Tape()
        let a = try tiny.forward(tape.constant(image), reading: ["features.4"])["features.4"]!.value
        let plane = a.shape[2] * a.shape[3]
        let expected = (0..<2).map { n in a.scalars[(n * 16 + 5) * plane..<(n * 16 + 6) * plane].reduce(0, +) / Float(plane) }
        assertClose(try Measures.channelActivation(of: image, network: tiny, layer: "features.4", channel: 5), expected)
        // Smaller images are resized up to the input size first.
        XCTAssertEqual(try Measures.channelActivation(of: seededUniform([1, 3, 8, 8], seed: 2), network: tiny,
                                                      layer: "features.4", channel: 5).count, 1)
        // A classifier's output is [N, classes]: its "plane" is one value, the logit itself.
        let logits = try tiny.forward(tape.constant(image), reading: ["classifier"])["classifier"]!.value
        assertClose(try Measures.channelActivation(of: image, network: tiny, layer: "classifier", channel: 7),
                    [logits.scalars[7], logits.scalars[17]])
        let r1 = try Measures.robustness(of: image, network: tiny, layer: "features.4", channel: 5)
        let r2 = try Measures.robustness(of: image, network: tiny, layer: "features.4", channel: 5)
        XCTAssertEqual(r1, r2, "seeded")
        // One deterministic transform: robustness is the mean ratio of transformed to plain activation.
        let turn = [Transform.rotate(degrees: 90)]
        let base = try Measures.channelActivation(of: image, network: tiny, layer: "features.4", channel: 5)
        let turned = try Measures.channelActivation(of: turn[0](tape.constant(image), using: &rngForTests).value,
                                                    network: tiny, layer: "features.4", channel: 5)
        XCTAssertEqual(try Measures.robustness(of: image, network: tiny, layer: "features.4", channel: 5, transforms: turn, count: 3),
                       zip(turned, base).map { $0 / $1 }.reduce(0, +) / 2, accuracy: 1e-5)
        // No transforms: robustness is exactly 1.
        XCTAssertEqual(try Measures.robustness(of: image, network: tiny, layer: "features.4", channel: 5, transforms: []), 1,
                       accuracy: 1e-6)
    }

    func testBatchSimilarity() throws {
        let one = seededUniform([1, 3, 16, 16], seed: 1)
        let twice = Tensor(shape: [2, 3, 16, 16], scalars: one.scalars + one.scalars)
        XCTAssertEqual(try Measures.batchSimilarity(of: twice, network: tiny, layer: "features.4")!, 1, accuracy: 1e-5)
        XCTAssertNil(try Measures.batchSimilarity(of: one, network: tiny, layer: "features.4"))
        XCTAssertEqual(Measures.cosineSimilarity([1, 0], [0, 2]), 0)
        XCTAssertEqual(Measures.cosineSimilarity([1, 1], [-2, -2]), -1, accuracy: 1e-6)
    }

    func testNaturalBaselinePatchesAndBest() throws {
        // A 24×40 photo for a 16-px network: short side 16 → 16×27 (x offsets 0, 11) and
        // 18 → 18×30 (y 0, 2; x 0, 14): 6 patches.
        let photo = seededUniform([1, 3, 24, 40], seed: 4)
        let baseline = NaturalImageBaseline(network: tiny, photos: [photo])
        XCTAssertEqual(baseline.patches.shape, [6, 3, 16, 16])
        let two = NaturalImageBaseline(network: tiny, photos: [photo, seededUniform([1, 3, 16, 16], seed: 5)])
        // The 16×16 photo: short side 16 → 1 patch; 18 → 18×18 (offsets 0, 2 on each axis) → 4.
        XCTAssertEqual(two.patchPhoto, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1], "each patch knows its photo")
        let direct = try Measures.channelActivation(of: baseline.patches, network: tiny, layer: "features.4", channel: 2)
        XCTAssertEqual(try baseline.best(layer: "features.4", channel: 2), direct.max()!, accuracy: 1e-5)
        let best = try baseline.bestPatch(layer: "features.4", channel: 2)
        XCTAssertEqual(try Measures.channelActivation(of: best, network: tiny, layer: "features.4", channel: 2)[0],
                       direct.max()!, accuracy: 1e-5)
    }

    func testMetricsOfAVisualization() throws {
        let visualizer = FeatureVisualizer(model: tiny, photosDirectory: FittingTests.repo.appendingPathComponent("data/photos").path)
        let v = try visualizer.visualizeFeature(layer: "features.4", channel: 3, size: 16, steps: 40)
        let m = try XCTUnwrap(v.metrics)
        // The activation is the channel objective on the image, computed by another path.
        XCTAssertEqual(m.activation, try Objective.channel("features.4", 3).evaluate(on: tiny, image: v.image), accuracy: 1e-5)
        // The best natural patch is the best over the photos' patches, each evaluated the same way.
        let baseline = try XCTUnwrap(try visualizer.baseline())
        let patches = baseline.patches.unstacked()
        let bestPatch = try patches.map { try Objective.channel("features.4", 3).evaluate(on: tiny, image: $0) }.max()!
        XCTAssertEqual(try XCTUnwrap(m.naturalBest), bestPatch, accuracy: 1e-4)
        // A regularized visualization is smoother than noise.
        XCTAssertLessThan(m.highFrequencyShare, Measures.highFrequencyShare(of: seededUniform([1, 3, 16, 16], seed: 8)))
        XCTAssertNil(m.batchSimilarity)
    }

    func testMontagePlacesCellsWithGaps() {
        let a = Tensor(shape: [2, 3, 2, 2], repeating: 0), b = Tensor(shape: [1, 3, 2, 2], repeating: 0.5)
        let m = montage([a, b], columns: 2, gap: 1, background: 1)
        XCTAssertEqual(m.shape, [1, 3, 7, 7])
        XCTAssertEqual(m[0, 0, 0, 0], 1)
        XCTAssertEqual(m[0, 1, 1, 1], 0, "first cell")
        XCTAssertEqual(m[0, 2, 1, 4], 0, "second cell, right of a one-pixel gap")
        XCTAssertEqual(m[0, 0, 1, 3], 1, "the gap")
        XCTAssertEqual(m[0, 0, 4, 1], 0.5, "third cell on the second row")
        XCTAssertEqual(m[0, 0, 4, 4], 1, "empty fourth cell stays background")
    }
}

/// A generator for deterministic transforms, which draw nothing from it.
nonisolated(unsafe) private var rngForTests = SeededGenerator(seed: 0)
