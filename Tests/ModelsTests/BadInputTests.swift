import Foundation
import Tensors
import TestSupport
import XCTest
@testable import Models

/// Bad input to the model layer, file by file: each is an error that names the file (or the key,
/// or the layer) and says what is wrong — never a crash.
final class BadInputTests: XCTestCase {
    // MARK: - Checkpoints in the wrong format

    /// A PNG, a text file, a zip of something else and a pickle without torch's magic number:
    /// each names the file and what it is not.
    func testWrongFormatCheckpointsNameTheFileAndTheProblem() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let text = directory.appendingPathComponent("weights.txt")
        try Data("conv.weight = [1, 2, 3]\n".utf8).write(to: text)
        let cases: [(path: String, expected: String)] = [
            (Fixtures.photo("chelsea.png"), "unrecognized format: first bytes 89 50 4e 47"),
            (text.path, "unrecognized format"),
        ]
        for (path, expected) in cases {
            XCTAssertThrowsError(try Checkpoint(contentsOf: path), path) { error in
                guard case let .notACheckpoint(file, detail)? = error as? CheckpointError else { return XCTFail("\(error)") }
                XCTAssertEqual(file, path)
                XCTAssertTrue(detail.contains(expected), detail)
                XCTAssertTrue("\(error)".hasPrefix(path + ": not a readable checkpoint"), "\(error)")
            }
        }
        // A pickle of a plain dict (protocol 2), not written by torch.save.
        let pickle: [UInt8] = [0x80, 2, 0x7D, 0x2E]
        XCTAssertThrowsError(try Checkpoint(bytes: pickle, file: "plain.pkl")) { error in
            XCTAssertTrue("\(error)".hasPrefix("plain.pkl: "), "\(error)")
            XCTAssertTrue("\(error)".contains("magic number"), "\(error)")
        }
    }

    /// A zip checkpoint holding one float and a view of it with zero strides and `shape`.
    private func broadcastCheckpoint(rows: Int, columns: Int) -> [UInt8] {
        func short(_ text: String) -> [UInt8] { [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }
        func int2(_ value: Int) -> [UInt8] { [0x4D, UInt8(value & 0xFF), UInt8(value >> 8)] }
        var pickle: [UInt8] = [0x80, 2, 0x7D] + short("w")
        pickle += [0x63] + Array("torch._utils\n_rebuild_tensor_v2\n".utf8) + [0x28]
        pickle += [0x28] + short("storage") + [0x63] + Array("torch\nFloatStorage\n".utf8) + short("0") + short("cpu")
        pickle += [0x4B, 1, 0x74, 0x51, 0x4B, 0]                                   // persistent id, offset 0
        pickle += [0x28] + int2(rows) + int2(columns) + [0x74]                       // shape
        pickle += [0x28, 0x4B, 0, 0x4B, 0, 0x74, 0x89, 0x4E, 0x74, 0x52, 0x73, 0x2E] // strides (0, 0), False, None
        return ZipWriter.archive([("archive/data.pkl", pickle), ("archive/data/0", [0, 0, 0x80, 0x3F])])
    }

    /// A 300-byte file whose one tensor repeats a single float 2²⁸ times (a gigabyte) is refused;
    /// the same trick at a small size still loads, as PyTorch's expanded tensors must.
    func testZeroStrideViewCannotExpandATinyFileIntoGigabytes() throws {
        let small = try Checkpoint(bytes: broadcastCheckpoint(rows: 4, columns: 4), file: "small.pth")
        XCTAssertEqual(try small.tensor("w", shape: [4, 4]).scalars, [Float](repeating: 1, count: 16))
        let bytes = broadcastCheckpoint(rows: 16384, columns: 16384)
        XCTAssertLessThan(bytes.count, 1000)
        XCTAssertThrowsError(try Checkpoint(bytes: bytes, file: "bomb.pth")) { error in
            guard case let .notACheckpoint(file, detail)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "bomb.pth")
            XCTAssertTrue(detail.contains("tensor `w` of shape [16384, 16384] would expand"), detail)
        }
    }

    // MARK: - Missing keys and wrong shapes, through a model constructor

    /// The tiny checkpoint's entries, optionally changed, as a new in-memory checkpoint.
    private func tinyEntries() throws -> [(String, Tensor)] {
        let checkpoint = try Checkpoint(contentsOf: Fixtures.tinyZip)
        return try checkpoint.keys.map { ($0, try checkpoint.tensor($0)) }
    }

    func testModelConstructorNamesAMissingKey() throws {
        let entries = try tinyEntries().filter { $0.0 != "features.4.running_var" }
        XCTAssertThrowsError(try TinyNet(checkpoint: Checkpoint(file: "dropped.pth", entries: entries))) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .missingKey(file: "dropped.pth", key: "features.4.running_var", closest: "features.4.running_mean"))
            XCTAssertEqual("\(error)", "dropped.pth: no tensor named `features.4.running_var` — did you mean `features.4.running_mean`?")
        }
    }

    /// A safetensors file (written by the test's own writer) whose one tensor has the wrong shape.
    func testModelConstructorNamesTheKeyAndBothShapesFromAFile() throws {
        let entries = try tinyEntries().map { key, tensor in
            key == "features.3.weight" ? (key, Tensor(shape: [16, 8, 1, 9], scalars: tensor.scalars)) : (key, tensor)
        }
        let directory = try Fixtures.temporaryDirectory(for: self)
        let path = directory.appendingPathComponent("reshaped.safetensors").path
        try Data(SafetensorsWriter.bytes(for: Checkpoint(entries: entries))).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TinyNet.load(from: path)) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .shapeMismatch(file: path, key: "features.3.weight", expected: [16, 8, 3, 3], found: [16, 8, 1, 9]))
            XCTAssertEqual("\(error)", "\(path): tensor `features.3.weight` has shape [16, 8, 1, 9], expected [16, 8, 3, 3]")
        }
    }

    /// The real EfficientNet-Lite0 weights with one depthwise kernel reshaped and one BatchNorm
    /// statistic dropped.
    func testEfficientNetNamesTheKeyAndBothShapes() throws {
        let path: String
        do { path = try ModelCache.weights(named: EfficientNetLite.Variant.lite0.weightsFileName) } catch let error as MissingWeightsError {
            throw missingWeights(error)
        }
        let checkpoint = try Checkpoint(contentsOf: path)
        var entries = try checkpoint.keys.map { ($0, try checkpoint.tensor($0)) }
        let key = "_blocks.8._depthwise_conv.weight"
        let index = try XCTUnwrap(entries.firstIndex { $0.0 == key })
        XCTAssertEqual(entries[index].1.shape, [480, 1, 5, 5])
        entries[index].1 = Tensor(shape: [480, 5, 5], scalars: entries[index].1.scalars)
        XCTAssertThrowsError(try EfficientNetLite0(checkpoint: Checkpoint(file: path, entries: entries))) { error in
            XCTAssertEqual(error as? CheckpointError, .shapeMismatch(file: path, key: key, expected: [480, 1, 5, 5], found: [480, 5, 5]))
        }
        entries.removeAll { $0.0 == "_blocks.12._bn1.running_var" }
        entries[index].1 = try checkpoint.tensor(key)
        XCTAssertThrowsError(try EfficientNetLite0(checkpoint: Checkpoint(file: path, entries: entries))) { error in
            guard case let .missingKey(file, missing, closest)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, path)
            XCTAssertEqual(missing, "_blocks.12._bn1.running_var")
            XCTAssertNotNil(closest)
            XCTAssertTrue("\(error)".contains("no tensor named `_blocks.12._bn1.running_var` — did you mean"), "\(error)")
        }
    }

    // MARK: - Missing weights

    /// An empty cache folder, through the environment variable the tools read.
    func testMissingWeightsNameThePathAndTheSetupCommand() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let cache = ModelCache.directory(environment: ["FVBOOK_CACHE": directory.path])
        XCTAssertEqual(cache.path, directory.path)
        XCTAssertThrowsError(try EfficientNetLite0.pretrained(cacheDirectory: cache)) { error in
            let expected = directory.appendingPathComponent(EfficientNetLite.Variant.lite0.weightsFileName).path
            XCTAssertEqual(error as? MissingWeightsError, MissingWeightsError(path: expected))
            XCTAssertTrue("\(error)".contains(expected), "\(error)")
            XCTAssertTrue("\(error)".contains("make setup"), "\(error)")
            XCTAssertTrue("\(error)".contains("FVBOOK_CACHE"), "\(error)")
        }
    }

    // MARK: - Unknown layers

    func testUnknownLayerInForwardListsValidLayersAndTheClosest() throws {
        let tiny = try TinyNet.load(from: Fixtures.tinyZip)
        let input = Tape().constant(Tensor(shape: [1, 3, 16, 16], repeating: 0.5))
        XCTAssertThrowsError(try tiny.forward(input, reading: ["feature.4"])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("unknown layer `feature.4` in tiny"), text)
            XCTAssertTrue(text.contains("did you mean `features.4`?"), text)
            XCTAssertTrue(text.contains("Valid layers: \(tiny.layerNames.joined(separator: ", "))"), text)
        }
    }

    func testUnknownEfficientNetLayerSuggestsTheBlock() throws {
        let network: EfficientNetLite0
        do { network = try EfficientNetLite0.pretrained() } catch let error as MissingWeightsError { throw missingWeights(error) }
        let input = Tape().constant(Tensor(shape: [1, 3, 32, 32], repeating: 0.5))
        XCTAssertThrowsError(try network.forward(input, reading: ["blocks.8"])) { error in
            XCTAssertTrue("\(error)".contains("did you mean `_blocks.8`?"), "\(error)")
            XCTAssertTrue("\(error)".contains("_blocks.15.depthwise"), "the valid names are listed")
        }
        XCTAssertThrowsError(try network.channels(of: "_block.8")) { error in
            XCTAssertTrue("\(error)".contains("did you mean `_blocks.8`?"), "\(error)")
        }
    }

    // MARK: - Images

    func testHugeDeclaredImageIsAnErrorNotAnAllocation() throws {
        // A valid signature and IHDR declaring 100000 × 100000 pixels, then a tiny IDAT: 70 bytes
        // that once made the reader allocate 40 GB for the pixels before decoding any.
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            bytes += bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        chunk("IHDR", [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0])
        chunk("IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])
        chunk("IEND", [])
        XCTAssertThrowsError(try PNG.decode(Data(bytes), path: "huge.png")) { error in
            XCTAssertEqual(error as? ImageError, .tooLarge("huge.png", width: 100_000, height: 100_000))
            XCTAssertTrue("\(error)".hasPrefix("huge.png: "), "\(error)")
        }
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    private func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
