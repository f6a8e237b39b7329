import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Models

/// Models chosen by name, and the Lite family's scaled architectures.
final class ModelRegistryTests: XCTestCase {
    func testNamesInputSizesAndTheDefault() {
        XCTAssertEqual(ModelRegistry.names, ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2", "vgg16"])
        XCTAssertEqual(ModelRegistry.entries.map(\.inputSize), [224, 240, 260, 224])
        XCTAssertEqual(ModelRegistry.defaultName, "efficientnet-lite0")
        XCTAssertEqual(ModelRegistry.entries.filter(\.needsWeightsFile).map(\.name), ["vgg16"])
    }

    func testAnUnknownNameListsTheKnownOnesAndTheClosest() {
        XCTAssertThrowsError(try ModelRegistry.load("efficientnet-lite3")) { error in
            XCTAssertEqual(error as? ModelError, .unknownModel("efficientnet-lite3", valid: ModelRegistry.names))
            let text = "\(error)"
            XCTAssertTrue(text.contains("unknown model `efficientnet-lite3` — did you mean `efficientnet-lite"), text)
            XCTAssertTrue(text.contains("Models: efficientnet-lite0, efficientnet-lite1, efficientnet-lite2, vgg16"), text)
        }
    }

    func testVGG16NeedsAWeightsFile() {
        XCTAssertThrowsError(try ModelRegistry.load("vgg16")) { error in
            XCTAssertEqual(error as? ModelError, .weightsRequired(model: "vgg16"))
            XCTAssertTrue("\(error)".contains("--weights"), "\(error)")
        }
    }

    /// Lite0's table is the EfficientNet-B0 one; Lite1 and Lite2 scale the middle stages only.
    func testStageTablesOfTheFamily() {
        let lite0 = EfficientNetLite.Variant.lite0.stageSpecs
        XCTAssertEqual(lite0.map(\.repeats), [1, 2, 2, 3, 3, 4, 1])
        XCTAssertEqual(lite0.map(\.outChannels), [16, 24, 40, 80, 112, 192, 320])
        XCTAssertEqual(lite0.map(\.inChannels), [32, 16, 24, 40, 80, 112, 192])
        let lite1 = EfficientNetLite.Variant.lite1.stageSpecs
        XCTAssertEqual(lite1.map(\.repeats), [1, 3, 3, 4, 4, 5, 1])
        XCTAssertEqual(lite1.map(\.outChannels), lite0.map(\.outChannels))
        let lite2 = EfficientNetLite.Variant.lite2.stageSpecs
        XCTAssertEqual(lite2.map(\.repeats), [1, 3, 3, 4, 4, 5, 1])
        XCTAssertEqual(lite2.map(\.outChannels), [16, 24, 48, 88, 120, 208, 352])
        XCTAssertEqual(lite2.map(\.inChannels), [32, 16, 24, 48, 88, 120, 208])
        XCTAssertEqual(lite2.map(\.kernel), lite0.map(\.kernel))
        XCTAssertEqual(lite2.map(\.stride), lite0.map(\.stride))
    }

    /// Each Lite model by name: its own input size, layer count and widths; a Lite2 checkpoint
    /// read as Lite0 fails at the first tensor of a different shape or count.
    func testTheLiteModelsByNameAndAMismatchedCheckpoint() throws {
        let lite1: any Network, lite2: any Network
        do {
            lite1 = try ModelRegistry.load("efficientnet-lite1")
            lite2 = try ModelRegistry.load("efficientnet-lite2")
        } catch let error as MissingWeightsError {
            throw missingWeights(error)
        }
        XCTAssertEqual(lite1.name, "efficientnet-lite1")
        XCTAssertEqual(lite1.inputSize, 240)
        XCTAssertEqual(lite2.inputSize, 260)
        // stem, 21 blocks (one without expansion: 2 layers, the others 3), head, logits
        XCTAssertEqual(lite2.layerNames.count, 1 + 2 + 20 * 3 + 2)
        XCTAssertEqual(try lite2.channels(of: "_blocks.20"), 352)
        XCTAssertEqual(try lite2.channels(of: "head"), 1280)
        XCTAssertEqual(try lite1.channels(of: "_blocks.20"), 320)
        XCTAssertThrowsError(try lite1.channels(of: "_blocks.21"))

        let path = try ModelCache.weights(named: EfficientNetLite.Variant.lite2.weightsFileName)
        XCTAssertThrowsError(try EfficientNetLite.load(from: path, variant: .lite0)) { error in
            guard case let .shapeMismatch(_, key, expected, found)? = error as? CheckpointError else { return XCTFail("\(error)") }
            // Lite0's _blocks.3 opens the 5×5 stage; Lite2's is the third 3×3 block of the one before.
            XCTAssertEqual(key, "_blocks.3._depthwise_conv.weight")
            XCTAssertEqual(expected, [144, 1, 5, 5])
            XCTAssertEqual(found, [144, 1, 3, 3])
        }
    }
}
