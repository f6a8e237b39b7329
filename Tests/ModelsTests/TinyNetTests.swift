import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Models

/// TinyNet against tiny.json (PyTorch), plus what every `Network` promises, on a model small enough
/// to check by finite differences.
final class TinyNetTests: XCTestCase {
    /// tiny.json's input: `linspace(0, 1, 768)` as `[1, 3, 16, 16]`.
    private func referenceInput() -> Tensor {
        Tensor(shape: [1, 3, 16, 16], scalars: (0..<768).map { Float(Double($0) / 767) })
    }

    func testOutputMatchesPyTorchForBothFileFormats() throws {
        let expected = try XCTUnwrap(try Fixtures.json(Fixtures.tinyJSON)["output"] as? [Double])
        for path in [Fixtures.tinyZip, Fixtures.tinyLegacy] {
            let tiny = try TinyNet.load(from: path)
            let logits = try tiny.logits(referenceInput())
            XCTAssertEqual(logits.shape, [1, 10])
            for (actual, reference) in zip(logits.scalars, expected) {
                XCTAssertEqual(Double(actual), reference, accuracy: 1e-5, path)
            }
        }
    }

    func testLayersShapesChannelsAndFusedReLU() throws {
        let tiny = try TinyNet.load(from: Fixtures.tinyZip)
        XCTAssertEqual(tiny.layerNames, ["features.0", "features.1", "features.2", "features.4", "features.5", "features.6", "classifier"])
        let tape = Tape()
        let outputs = try tiny.forward(tape.constant(referenceInput()), reading: Set(tiny.layerNames))
        let shapes = tiny.layerNames.map { outputs[$0]!.shape }
        XCTAssertEqual(shapes, [[1, 8, 16, 16], [1, 8, 16, 16], [1, 8, 8, 8], [1, 16, 8, 8], [1, 16, 8, 8], [1, 16, 1, 1], [1, 10]])
        for layer in tiny.layerNames { XCTAssertEqual(try tiny.channels(of: layer), outputs[layer]!.shape[1], layer) }
        // features.0 is read before its ReLU; features.1 after it, whether fused or not.
        let conv = outputs["features.0"]!.value, activated = outputs["features.1"]!.value
        XCTAssertTrue(conv.scalars.contains { $0 < 0 })
        XCTAssertEqual(activated, conv.map { max($0, 0) })
        let fused = try tiny.forward(Tape().constant(referenceInput()), reading: ["features.1"])["features.1"]!.value
        XCTAssertEqual(fused, activated)
    }

    func testUnknownLayerListsValidNamesAndClosestMatch() throws {
        let tiny = try TinyNet.load(from: Fixtures.tinyZip)
        XCTAssertThrowsError(try tiny.forward(Tape().constant(referenceInput()), reading: ["features.3"])) { error in
            XCTAssertEqual(error as? ModelError, .unknownLayer("features.3", model: "tiny", valid: tiny.layerNames))
        }
        XCTAssertEqual(try tiny.forward(Tape().constant(referenceInput()), reading: []).count, 0)
    }

    /// The input gradient through every layer kind (conv, ReLU, pool, folded BatchNorm, adaptive
    /// pool, linear) agrees with central finite differences.
    func testInputGradientMatchesFiniteDifferences() throws {
        let tiny = try TinyNet.load(from: Fixtures.tinyLegacy)
        let logits = try tiny.layer("classifier")
        var rng = SeededGenerator(seed: 3)
        let image = Tensor(randomUniform: [1, 3, 16, 16], using: &rng)
        checkGradient([image]) { tiny.forward($0[0], reading: [logits])[logits]! }
    }
}
