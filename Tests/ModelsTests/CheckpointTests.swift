import Foundation
import Tensors
import XCTest
@testable import Models

final class CheckpointTests: XCTestCase {
    /// tiny.json's keys with their shapes, in the order they appear in the JSON text (the save order).
    private func expectedKeys() throws -> [(String, [Int])] {
        let json = try Fixtures.json(Fixtures.tinyJSON)
        let keys = try XCTUnwrap(json["keys"] as? [String: [Int]])
        let text = try String(contentsOf: Fixtures.tinyJSON, encoding: .utf8)
        func position(_ key: String) -> Int {
            text.range(of: "\"\(key)\"").map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? -1
        }
        return keys.sorted { position($0.key) < position($1.key) }.map { ($0.key, $0.value) }
    }

    func testBothTorchFormatsLoadEveryKeyWithItsShapeInOrder() throws {
        let expected = try expectedKeys()
        XCTAssertEqual(expected.count, 13)
        for path in [Fixtures.tinyZip, Fixtures.tinyLegacy] {
            let checkpoint = try Checkpoint(contentsOf: path)
            XCTAssertEqual(checkpoint.keys, expected.map(\.0), path)
            for (key, shape) in expected {
                XCTAssertEqual(try checkpoint.tensor(key, shape: shape).shape, shape, "\(path) \(key)")
            }
        }
    }

    func testZipAndLegacyHoldIdenticalValues() throws {
        let zip = try Checkpoint(contentsOf: Fixtures.tinyZip)
        let legacy = try Checkpoint(contentsOf: Fixtures.tinyLegacy)
        for key in zip.keys {
            XCTAssertEqual(zip[key], legacy[key], key)
        }
        // The values are real weights, not zeros from a reader that skipped the data.
        let weight = try zip.tensor("features.0.weight")
        XCTAssertGreaterThan(weight.scalars.map(Swift.abs).max() ?? 0, 0.01)
        XCTAssertEqual(try zip.tensor("features.4.num_batches_tracked").shape, [])
    }

    func testNonContiguousAndSharedViewsMaterializeCorrectly() throws {
        for path in [Fixtures.tinyZip, Fixtures.tinyLegacy] {
            let checkpoint = try Checkpoint(contentsOf: path)
            let weight = try checkpoint.tensor("classifier.weight", shape: [10, 16])
            let transposed = try checkpoint.tensor("extra.transposed", shape: [16, 10])
            let slice = try checkpoint.tensor("extra.shared_slice", shape: [2, 16])
            for i in 0..<10 {
                for j in 0..<16 { XCTAssertEqual(transposed[j, i], weight[i, j]) }
            }
            XCTAssertEqual(slice.scalars, Array(weight.scalars[32..<64]))
        }
    }

    func testKeyAndShapeErrorsNameFileKeyAndShapes() throws {
        let checkpoint = try Checkpoint(contentsOf: Fixtures.tinyZip)
        XCTAssertThrowsError(try checkpoint.tensor("classifier.weights", shape: [10, 16])) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .missingKey(file: Fixtures.tinyZip, key: "classifier.weights", closest: "classifier.weight"))
            XCTAssertTrue("\(error)".contains("tiny-zip.pth"))
            XCTAssertTrue("\(error)".contains("did you mean `classifier.weight`"))
        }
        XCTAssertThrowsError(try checkpoint.tensor("classifier.weight", shape: [16, 10])) { error in
            XCTAssertEqual(error as? CheckpointError,
                           .shapeMismatch(file: Fixtures.tinyZip, key: "classifier.weight", expected: [16, 10], found: [10, 16]))
            XCTAssertEqual("\(error)", "\(Fixtures.tinyZip): tensor `classifier.weight` has shape [10, 16], expected [16, 10]")
        }
    }

    func testMissingEmptyAndDirectoryPathsThrowDescriptiveErrors() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let missing = directory.appendingPathComponent("nope.pth").path
        XCTAssertThrowsError(try Checkpoint(contentsOf: missing)) { error in
            XCTAssertEqual(error as? CheckpointError, .fileNotFound(missing))
            XCTAssertEqual("\(error)", "\(missing): no such file")
        }
        let empty = directory.appendingPathComponent("empty.pth")
        try Data().write(to: empty)
        XCTAssertThrowsError(try Checkpoint(contentsOf: empty.path)) { error in
            XCTAssertEqual(error as? CheckpointError, .notACheckpoint(file: empty.path, "the file is empty"))
        }
        XCTAssertThrowsError(try Checkpoint(contentsOf: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("directory"), "\(error)")
        }
    }

    /// Every prefix of a valid file is an error that names the file — never a crash, never success.
    func testTruncatedFilesThrowAtEveryCutPoint() throws {
        let safetensors = try SafetensorsWriter.bytes(for: Checkpoint(contentsOf: Fixtures.tinyZip))
        for (label, bytes) in [("zip", try Fixtures.bytes(Fixtures.tinyZip)),
                               ("legacy", try Fixtures.bytes(Fixtures.tinyLegacy)),
                               ("safetensors", safetensors)] {
            var cuts = Set(0..<24)
            for i in 0..<40 { cuts.insert(bytes.count * i / 40) }
            for i in 1...24 { cuts.insert(bytes.count - i) }
            var truncatedCount = 0
            for cut in cuts.sorted() {
                let name = "\(label)-cut-\(cut)"
                XCTAssertThrowsError(try Checkpoint(bytes: Array(bytes.prefix(cut)), file: name), name) { error in
                    guard let error = error as? CheckpointError else { return XCTFail("\(name): \(error) is not a CheckpointError") }
                    XCTAssertTrue(error.description.hasPrefix(name + ": "), error.description)
                    XCTAssertFalse(error.description.contains("\n"))
                    if case .truncated = error { truncatedCount += 1 }
                }
            }
            // Most cuts are reported as what they are: a file cut short.
            XCTAssertGreaterThan(truncatedCount, cuts.count / 2, label)
        }
    }

    /// Random bytes, alone and behind each format's magic, are errors and never crashes.
    func testRandomBytesThrowCheckpointErrors() throws {
        var rng = SeededGenerator(seed: 7)
        let prefixes: [[UInt8]] = [[], [0x50, 0x4B, 0x03, 0x04], [0x80, 0x02, 0x8A, 0x0A],
                                   [0x80, 0x02], [0x10, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "{")]]
        for trial in 0..<400 {
            let prefix = prefixes[trial % prefixes.count]
            let length = rng.nextInt(in: 0...600)
            let bytes = prefix + (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertThrowsError(try Checkpoint(bytes: bytes, file: "random-\(trial)")) { error in
                XCTAssertTrue(error is CheckpointError, "trial \(trial): \(error)")
            }
        }
    }

    /// Single-byte corruptions of valid files either still load or throw a CheckpointError.
    func testCorruptedBytesNeverCrash() throws {
        var rng = SeededGenerator(seed: 11)
        for path in [Fixtures.tinyZip, Fixtures.tinyLegacy] {
            let original = try Fixtures.bytes(path)
            var failures = 0
            for _ in 0..<300 {
                var bytes = original
                // Bias toward the pickle and headers, where a change alters structure, not just a weight.
                let position = rng.nextInt(in: 0...min(bytes.count - 1, 2000))
                bytes[position] = UInt8.random(in: 0...255, using: &rng)
                do { _ = try Checkpoint(bytes: bytes, file: "corrupt") } catch is CheckpointError { failures += 1 }
            }
            XCTAssertGreaterThan(failures, 10, path)
        }
    }

    func testSafetensorsWrittenInSwiftRoundTrips() throws {
        let source = try Checkpoint(contentsOf: Fixtures.tinyLegacy)
        let directory = try Fixtures.temporaryDirectory(for: self)
        let url = directory.appendingPathComponent("tiny.safetensors")
        try Data(SafetensorsWriter.bytes(for: source)).write(to: url)
        let loaded = try Checkpoint(contentsOf: url.path)
        XCTAssertEqual(loaded.keys, source.keys)
        for key in source.keys { XCTAssertEqual(loaded[key], source[key], key) }
    }

    /// An independent writer (numpy) with float16, float64 and int64 tensors.
    func testSafetensorsWrittenByNumpyLoads() throws {
        let directory = try Fixtures.temporaryDirectory(for: self)
        let path = directory.appendingPathComponent("numpy.safetensors").path
        let script = """
        import json, struct, sys, numpy as np
        arrays = {"a.weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
                  "b.half": np.array([1.0, -2.5, 65504.0, 2**-14, 2**-24], dtype=np.float16),
                  "c.double": np.array([[0.1], [1e-3]], dtype=np.float64),
                  "d.count": np.array(123456, dtype=np.int64)}
        header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
        dtypes = {np.float32: "F32", np.float16: "F16", np.float64: "F64", np.int64: "I64"}
        for name, a in arrays.items():
            blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
            header[name] = {"dtype": dtypes[a.dtype.type], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob); offset += len(blob)
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw XCTSkip("python3 with numpy is not available") }

        let checkpoint = try Checkpoint(contentsOf: path)
        XCTAssertEqual(checkpoint.keys, ["a.weight", "b.half", "c.double", "d.count"])
        XCTAssertEqual(try checkpoint.tensor("a.weight", shape: [2, 3]).scalars, [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(try checkpoint.tensor("b.half", shape: [5]).scalars,
                       [1, -2.5, 65504, Float(sign: .plus, exponent: -14, significand: 1), Float(sign: .plus, exponent: -24, significand: 1)])
        XCTAssertEqual(try checkpoint.tensor("c.double", shape: [2, 1]).scalars, [0.1, 1e-3])
        XCTAssertEqual(try checkpoint.tensor("d.count", shape: []).scalars, [123456])
    }

    func testHalfPrecisionConversionIsExact() {
        XCTAssertEqual(floatFromHalf(0x3C00), 1)
        XCTAssertEqual(floatFromHalf(0xC000), -2)
        XCTAssertEqual(floatFromHalf(0x7BFF), 65504)
        XCTAssertEqual(floatFromHalf(0x0001), Float(sign: .plus, exponent: -24, significand: 1))  // smallest subnormal
        XCTAssertEqual(floatFromHalf(0x03FF), Float(1023) * Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(floatFromHalf(0x8000).sign, .minus)
        XCTAssertEqual(floatFromHalf(0x7C00), .infinity)
        XCTAssertTrue(floatFromHalf(0x7E00).isNaN)
        // Every half value round-trips through Float's own conversion where the platform has Float16.
        #if !(os(macOS) && arch(x86_64))
        for bits in UInt16.min...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let ours = floatFromHalf(bits)
            XCTAssertTrue(ours == reference || (ours.isNaN && reference.isNaN), "0x\(String(bits, radix: 16))")
        }
        #endif
    }
}

/// A minimal safetensors writer for tests: float32, keys in the checkpoint's order.
enum SafetensorsWriter {
    static func bytes(for checkpoint: Checkpoint) throws -> [UInt8] {
        var entries: [String] = []
        var data: [UInt8] = []
        for key in checkpoint.keys {
            let tensor = try checkpoint.tensor(key)
            let begin = data.count
            for value in tensor.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
            entries.append("\"\(key)\":{\"dtype\":\"F32\",\"shape\":\(tensor.shape),\"data_offsets\":[\(begin),\(data.count)]}")
        }
        let header = Array("{\(entries.joined(separator: ","))}".utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        return out + header + data
    }
}
