import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Models

/// EfficientNet-Lite0, Lite1 and Lite2 against PyTorch's numbers
/// (Tests/Fixtures/reference/efficientnet-liteN-chelsea.json; Lite1 and Lite2 from
/// scripts/reference/efficientnet-lite.py).
final class EfficientNetTests: XCTestCase {
    /// The pretrained networks, each loaded once for the class.
    nonisolated(unsafe) private static let loaded: [String: Result<EfficientNetLite, Error>] = Dictionary(
        uniqueKeysWithValues: EfficientNetLite.Variant.all.map { v in (v.name, Result { try EfficientNetLite.pretrained(v) }) })

    /// The network, or — outside CI — a skip that names the set-up command when the weights are not
    /// fetched. In CI (`CI` set) missing weights fail the test: set-up must have fetched them.
    private func network(_ variant: EfficientNetLite.Variant = .lite0) throws -> EfficientNetLite {
        switch Self.loaded[variant.name]! {
        case let .success(net): return net
        case let .failure(error as MissingWeightsError): throw missingWeights(error)
        case let .failure(error): throw error
        }
    }

    private func reference(_ variant: EfficientNetLite.Variant) throws -> [String: Any] {
        try Fixtures.json(Fixtures.efficientNetReference(variant.name))
    }

    /// chelsea.png cropped at the reference's origin and size, RGB in [0, 1].
    private func input(_ reference: [String: Any]) throws -> Tensor {
        let spec = try XCTUnwrap(reference["input"] as? [String: Any])
        let origin = try XCTUnwrap(spec["crop_origin_xy"] as? [Int])
        let size = try XCTUnwrap(spec["size"] as? Int)
        let photo = try PNG.read(Fixtures.photo(try XCTUnwrap(spec["photo"] as? String)))
        let tape = Tape()
        return crop(tape.constant(photo), top: origin[1], left: origin[0], height: size, width: size).value
    }

    private func assertClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double,
                             _ message: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(Swift.abs(actual - expected), max(relative * Swift.abs(expected), absolute),
                                 "\(message()): \(actual) vs reference \(expected)", file: file, line: line)
    }

    func testLite0LogitsAndEveryRecordedLayerMatchPyTorch() throws { try checkForward(.lite0, blocks: 16, top1: 282) }
    func testLite1LogitsAndEveryRecordedLayerMatchPyTorch() throws { try checkForward(.lite1, blocks: 21, top1: 282) }
    func testLite2LogitsAndEveryRecordedLayerMatchPyTorch() throws { try checkForward(.lite2, blocks: 21, top1: 285) }

    func testLite0InputGradientOfAChannelMeanMatchesPyTorch() throws { try checkGradient(.lite0) }
    func testLite1InputGradientOfAChannelMeanMatchesPyTorch() throws { try checkGradient(.lite1) }
    func testLite2InputGradientOfAChannelMeanMatchesPyTorch() throws { try checkGradient(.lite2) }

    /// Logits within 1e-3 of PyTorch's, every block's statistics and sampled values within 1e-3
    /// relative, the same top-5.
    private func checkForward(_ variant: EfficientNetLite.Variant, blocks: Int, top1: Int,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let net = try network(variant)
        let reference = try reference(variant)
        let layers = try XCTUnwrap(reference["layers"] as? [String: [String: Any]])
        XCTAssertEqual(layers.count, blocks + 2, "stem, \(blocks) blocks, head", file: file, line: line)
        XCTAssertEqual(net.layerNames.filter { $0.hasPrefix("_blocks.") && !$0.contains(".expand") && !$0.contains(".depthwise") }.count,
                       blocks, file: file, line: line)

        let tape = Tape()
        let outputs = try net.forward(tape.constant(try input(reference)), reading: Set(layers.keys).union(["logits"]))

        let logits = try XCTUnwrap(outputs["logits"]).value
        let expectedLogits = try XCTUnwrap(reference["logits"] as? [Double])
        XCTAssertEqual(logits.shape, [1, 1000])
        var worst = 0.0
        for (actual, expected) in zip(logits.scalars, expectedLogits) { worst = max(worst, Swift.abs(Double(actual) - expected)) }
        XCTAssertLessThanOrEqual(worst, 1e-3, "largest logit difference")

        for (name, record) in layers {
            let value = try XCTUnwrap(outputs[name], name).value
            XCTAssertEqual(value.shape, try XCTUnwrap(record["shape"] as? [Int]), name)
            let n = Double(value.count)
            let values = value.scalars.map(Double.init)
            let mean = values.reduce(0, +) / n
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            let absSum = values.reduce(0) { $0 + Swift.abs($1) }
            assertClose(mean, try XCTUnwrap(record["mean"] as? Double), relative: 1e-3, absolute: 1e-4, "\(name) mean")
            assertClose(std, try XCTUnwrap(record["std"] as? Double), relative: 1e-3, absolute: 1e-4, "\(name) std")
            assertClose(absSum, try XCTUnwrap(record["abs_sum"] as? Double), relative: 1e-3, absolute: 1e-4, "\(name) abs_sum")
            for sample in try XCTUnwrap(record["samples"] as? [[String: Any]]) {
                let index = try XCTUnwrap(sample["index"] as? [Int])
                assertClose(Double(value[index[0], index[1], index[2], index[3]]), try XCTUnwrap(sample["value"] as? Double),
                            relative: 1e-3, absolute: 1e-4, "\(name)\(index)")
            }
        }

        // The top-5 agrees with PyTorch's, class by class.
        let top5 = try XCTUnwrap(reference["top5"] as? [[String: Any]])
        let ours = topPredictions(logits: logits.scalars, k: 5)
        XCTAssertEqual(ours.map(\.classIndex), top5.compactMap { $0["class"] as? Int })
        for (prediction, expected) in zip(ours, top5) {
            assertClose(Double(prediction.probability), try XCTUnwrap(expected["prob"] as? Double),
                        relative: 1e-3, absolute: 1e-5, "probability of \(prediction.classIndex)")
        }
        XCTAssertEqual(ours.first?.classIndex, top1, file: file, line: line)
        XCTAssertEqual(ours.first?.name, imageNetClassNames[top1], file: file, line: line)
    }

    /// The gradient of "mean of channel C of LAYER" (the reference names both) with respect to the
    /// image, within 1e-2 relative of PyTorch's.
    private func checkGradient(_ variant: EfficientNetLite.Variant) throws {
        let net = try network(variant)
        let reference = try reference(variant)
        let record = try XCTUnwrap(reference["input_gradient"] as? [String: Any])
        let words = try XCTUnwrap(record["objective"] as? String).split(separator: " ")
        XCTAssertEqual(words.count, 6)
        let channel = try XCTUnwrap(Int(words[3])), layer = String(words[5])

        let tape = Tape()
        let image = tape.variable(try input(reference))
        let block = try XCTUnwrap(try net.forward(image, reading: [layer])[layer])
        let objective = slice(block, axis: 1, range: channel..<(channel + 1)).mean()
        assertClose(Double(objective.value.scalar), try XCTUnwrap(record["value"] as? Double),
                    relative: 1e-3, absolute: 1e-5, "objective")
        let gradient = tape.gradient(of: objective, withRespectTo: image)
        XCTAssertEqual(gradient.shape, try XCTUnwrap(record["shape"] as? [Int]))
        let absSum = gradient.scalars.reduce(0.0) { $0 + Swift.abs(Double($1)) }
        assertClose(absSum, try XCTUnwrap(record["abs_sum"] as? Double), relative: 1e-2, absolute: 0, "gradient abs_sum")
        for sample in try XCTUnwrap(record["samples"] as? [[String: Any]]) {
            let index = try XCTUnwrap(sample["index"] as? [Int])
            assertClose(Double(gradient[index[0], index[1], index[2], index[3]]), try XCTUnwrap(sample["value"] as? Double),
                        relative: 1e-2, absolute: 1e-5, "gradient\(index)")
        }
    }

    func testArchitectureAndTruncation() throws {
        let net = try network()
        XCTAssertEqual(net.layerNames.first, "stem")
        XCTAssertEqual(net.layerNames.last, "logits")
        XCTAssertEqual(net.layerNames.filter { $0.hasPrefix("_blocks.") && !$0.contains(".expand") && !$0.contains(".depthwise") }.count, 16)
        XCTAssertEqual(net.layerNames.count, 50)  // the README's model table
        XCTAssertEqual(try net.channels(of: "_blocks.8"), 112)
        XCTAssertEqual(try net.channels(of: "_blocks.8.expand"), 480)
        XCTAssertEqual(try net.channels(of: "head"), 1280)
        XCTAssertFalse(net.layerNames.contains("_blocks.0.expand"))  // expansion ratio 1: no expand conv

        // Every readable layer's channels(of:) agrees with what forward returns (at 64 px, to be quick).
        let tape = Tape()
        let x = tape.constant(Tensor(shape: [1, 3, 64, 64], repeating: 0.5))
        let all = try net.forward(x, reading: Set(net.layerNames))
        for layer in net.layerNames { XCTAssertEqual(all[layer]?.shape[1], try net.channels(of: layer), layer) }
        XCTAssertEqual(all["_blocks.15"]?.shape, [1, 320, 2, 2])

        // Reading a shallow layer stops there: fewer ops on the tape, the same values.
        let shallowTape = Tape()
        let shallow = try net.forward(shallowTape.constant(x.value), reading: ["_blocks.2"])
        XCTAssertEqual(Array(shallow.keys), ["_blocks.2"])
        XCTAssertEqual(shallow["_blocks.2"]?.value, all["_blocks.2"]?.value)
        XCTAssertLessThan(shallowTape.constant(Tensor(scalar: 0)).id, tape.constant(Tensor(scalar: 0)).id / 3)

        XCTAssertThrowsError(try net.forward(x, reading: ["_blocks.8.expnad"])) { error in
            guard case let .unknownLayer(name, model, _) = error as? ModelError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "_blocks.8.expnad")
            XCTAssertEqual(model, "efficientnet-lite0")
            XCTAssertTrue("\(error)".contains("did you mean `_blocks.8.expand`"), "\(error)")
        }
        XCTAssertThrowsError(try net.channels(of: "blocks.3"))
    }

    /// A batch runs image by image through the large planes and as a batch after them: each image
    /// gets what it gets alone — the same bits while the planes are large, the same values to
    /// rounding after (a single image's small 1×1 products are split by rows) — and its own
    /// input gradient.
    func testABatchGivesEachImageWhatItGetsAlone() throws {
        let net = try network()
        let side = 192  // above 160²: planes 96², 48², 24² image by image; 12² and below as a batch
        let images = (0..<2).map { n in
            Tensor(shape: [1, 3, side, side], scalars: (0..<(3 * side * side)).map { i in
                0.5 + 0.4 * Float(sin(Double(i) * (0.37 + 0.11 * Double(n))))
            })
        }
        let layers: Set<String> = ["_blocks.2", "_blocks.8", "logits"]
        func run(_ x: Tensor) throws -> (outputs: [String: Tensor], gradient: Tensor) {
            let tape = Tape()
            let image = tape.variable(x)
            let out = try net.forward(image, reading: layers)
            let objective = try XCTUnwrap(out["_blocks.8"]).mean() + XCTUnwrap(out["logits"]).mean()
            return (out.mapValues(\.value), tape.gradient(of: objective, withRespectTo: image))
        }
        let joining = Tape()
        let batch = try run(concat(images.map { joining.constant($0) }, axis: 0).value)
        for (n, image) in images.enumerated() {
            let alone = try run(image)
            let tape = Tape()
            for layer in layers {
                let mine = slice(tape.constant(try XCTUnwrap(batch.outputs[layer])), axis: 0, range: n..<(n + 1)).value
                let single = try XCTUnwrap(alone.outputs[layer])
                if layer == "_blocks.2" {
                    XCTAssertEqual(mine, single, "image \(n) at \(layer): not the same bits as alone")
                } else {
                    let scale = single.scalars.map(Swift.abs).max()!
                    XCTAssertLessThan(zip(mine.scalars, single.scalars).map { Swift.abs($0 - $1) }.max()!, 1e-4 * scale,
                                      "image \(n) at \(layer)")
                }
            }
            // The batch's objective is the sum of the images' (means over one image each, halved).
            let mine = slice(tape.constant(batch.gradient), axis: 0, range: n..<(n + 1)).value.scalars
            let single = alone.gradient.scalars.map { $0 / 2 }
            let scale = single.map(Swift.abs).max()!
            XCTAssertGreaterThan(scale, 0)
            XCTAssertLessThan(zip(mine, single).map { Swift.abs($0 - $1) }.max()!, 1e-3 * scale, "input gradient of image \(n)")
        }
    }

    func testMissingWeightsNameThePathAndTheSetupCommand() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        XCTAssertThrowsError(try EfficientNetLite0.pretrained(cacheDirectory: directory)) { error in
            let expected = directory.appendingPathComponent(EfficientNetLite.Variant.lite0.weightsFileName).path
            XCTAssertEqual(error as? MissingWeightsError, MissingWeightsError(path: expected))
            XCTAssertTrue("\(error)".contains(expected))
            XCTAssertTrue("\(error)".contains("make setup"))
        }
        XCTAssertEqual(ModelCache.directory(environment: ["FVBOOK_CACHE": "/tmp/weights"]).path, "/tmp/weights")
        XCTAssertTrue(ModelCache.directory(environment: [:]).path.hasSuffix("/.cache/fvbook"))
    }

    /// A checkpoint without the EfficientNet keys fails with the first missing key, not a crash.
    func testWrongCheckpointNamesTheMissingKey() throws {
        XCTAssertThrowsError(try EfficientNetLite0.load(from: Fixtures.tinyZip)) { error in
            XCTAssertEqual(error as? CheckpointError, .missingKey(file: Fixtures.tinyZip, key: "_conv_stem.weight", closest: nil))
        }
    }
}
