import Tensors
import XCTest
@testable import Models

/// VGG16's architecture on a synthetic torchvision-layout state dict (the real weights are not
/// shipped): every layer's shape at 64 px, preprocessing, and key errors.
final class VGG16Tests: XCTestCase {
    /// Random convolution weights (He scale) and constant classifier weights with torchvision's keys.
    private static func syntheticStateDict(seed: UInt64 = 1, classifier: Bool = true) -> [(String, Tensor)] {
        var rng = SeededGenerator(seed: seed)
        var entries: [(String, Tensor)] = []
        var index = 0, channels = 3
        for width in VGG16.configuration {
            if width == 0 { index += 1; continue }
            let std = (2 / Float(9 * channels)).squareRoot()
            entries.append(("features.\(index).weight", Tensor(randomNormal: [width, channels, 3, 3], standardDeviation: std, using: &rng)))
            entries.append(("features.\(index).bias", Tensor(randomNormal: [width], standardDeviation: 0.01, using: &rng)))
            index += 2
            channels = width
        }
        // 100 M weights in classifier.0: a constant keeps building them fast; shapes are what we test.
        guard classifier else { return entries }
        for (i, (inFeatures, outFeatures)) in [(0, (25088, 4096)), (3, (4096, 4096)), (6, (4096, 1000))] {
            entries.append(("classifier.\(i).weight", Tensor(shape: [outFeatures, inFeatures], repeating: 1e-4)))
            entries.append(("classifier.\(i).bias", Tensor(randomNormal: [outFeatures], standardDeviation: 0.01, using: &rng)))
        }
        return entries
    }

    private static let checkpoint = Checkpoint(file: "synthetic-vgg16", entries: syntheticStateDict())

    func testEveryLayerHasTorchvisionsNameAndShapeAt64Pixels() throws {
        let vgg = try VGG16(checkpoint: Self.checkpoint)
        let expectedNames = (0...30).map { "features.\($0)" } + ["avgpool", "classifier.0", "classifier.1", "classifier.3", "classifier.4", "classifier.6"]
        XCTAssertEqual(vgg.layerNames, expectedNames)

        let tape = Tape()
        var rng = SeededGenerator(seed: 2)
        let outputs = try vgg.forward(tape.constant(Tensor(randomUniform: [2, 3, 64, 64], using: &rng)), reading: Set(vgg.layerNames))
        // Side length after each feature layer: halved by the pools at 4, 9, 16, 23, 30.
        var side = 64
        for i in 0...30 {
            if [4, 9, 16, 23, 30].contains(i) { side /= 2 }
            let name = "features.\(i)"
            let shape = try XCTUnwrap(outputs[name], name).shape
            XCTAssertEqual(shape, [2, try vgg.channels(of: name), side, side], name)
        }
        XCTAssertEqual(outputs["features.28"]?.shape, [2, 512, 4, 4])
        XCTAssertEqual(outputs["avgpool"]?.shape, [2, 512, 7, 7])
        for (name, width) in [("classifier.0", 4096), ("classifier.1", 4096), ("classifier.3", 4096), ("classifier.4", 4096), ("classifier.6", 1000)] {
            XCTAssertEqual(outputs[name]?.shape, [2, width], name)
            XCTAssertEqual(try vgg.channels(of: name), width)
        }
        // Convolutions are read before their ReLU, the ReLUs after.
        let conv = try XCTUnwrap(outputs["features.28"]).value, activated = try XCTUnwrap(outputs["features.29"]).value
        XCTAssertTrue(conv.scalars.contains { $0 < 0 })
        XCTAssertEqual(activated, conv.map { max($0, 0) })
    }

    func testPreprocessingIsImageNetNormalization() throws {
        let vgg = try VGG16(checkpoint: Self.checkpoint)
        var rng = SeededGenerator(seed: 4)
        let image = Tensor(randomUniform: [1, 3, 8, 8], using: &rng)
        var normalized = image
        for c in 0..<3 {
            for i in 0..<64 {
                normalized.scalars[c * 64 + i] = (image.scalars[c * 64 + i] - VGG16.imageNetMean[c]) / VGG16.imageNetStd[c]
            }
        }
        let tape = Tape()
        let ours = try vgg.forward(tape.constant(image), reading: ["features.0"])["features.0"]!.value
        let expected = conv2d(tape.constant(normalized), weight: try Self.checkpoint.tensor("features.0.weight"),
                              bias: try Self.checkpoint.tensor("features.0.bias"), padding: .symmetric(1)).value
        for (a, e) in zip(ours.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    func testMisshapenOrMissingWeightsAreNamed() throws {
        // The feature errors come first, so the classifier's weights can be left out.
        var entries = Self.syntheticStateDict(classifier: false)
        entries.removeAll { $0.0 == "features.17.weight" }
        XCTAssertThrowsError(try VGG16(checkpoint: Checkpoint(file: "partial", entries: entries))) { error in
            XCTAssertEqual(error as? CheckpointError, .missingKey(file: "partial", key: "features.17.weight", closest: "features.7.weight"))
        }
        entries.append(("features.17.weight", Tensor(zeros: [512, 256, 5, 5])))
        XCTAssertThrowsError(try VGG16(checkpoint: Checkpoint(file: "wrong", entries: entries))) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .shapeMismatch(file: "wrong", key: "features.17.weight", expected: [512, 256, 3, 3], found: [512, 256, 5, 5]))
        }
    }
}
