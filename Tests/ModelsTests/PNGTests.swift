import Foundation
import XCTest
import Tensors
@testable import Models

final class PNGTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("png-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A seeded 3×5×7 image survives write → read exactly at 8-bit precision.
    func testRoundTripIsExactAt8Bits() throws {
        var generator = SystemLikeLCG(seed: 7)
        let levels = (0..<(3 * 5 * 7)).map { _ in Float(generator.next() % 256) / 255 }
        let image = Tensor(shape: [1, 3, 5, 7], scalars: levels)
        let path = scratch.appendingPathComponent("round.png").path
        try PNG.write(image, to: path)
        let back = try PNG.read(path)
        XCTAssertEqual(back.shape, [1, 3, 5, 7])
        for (a, b) in zip(back.scalars, levels) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// Out-of-range values clamp, NaN becomes 0, in-between values round to the nearest level;
    /// a rank-3 image is accepted.
    func testWriteClampsAndRounds() throws {
        let values: [Float] = [-1, 2, .nan, 0.5, 0.1, 1.0]          // 3 channels × 1 × 2
        let path = scratch.appendingPathComponent("clamp.png").path
        try PNG.write(Tensor(shape: [3, 1, 2], scalars: values), to: path)
        let back = try PNG.read(path)
        XCTAssertEqual(back.shape, [1, 3, 1, 2])
        let expected: [Float] = [0, 1, 0, 128.0 / 255, 26.0 / 255, 1]
        for (a, b) in zip(back.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// Writes are atomic: no temporary files remain beside the target, and an existing file is replaced.
    func testWriteReplacesAtomicallyWithoutLeftovers() throws {
        let path = scratch.appendingPathComponent("a.png").path
        try PNG.write(Tensor(shape: [1, 3, 2, 2], repeating: 0.2), to: path)
        try PNG.write(Tensor(shape: [1, 3, 4, 4], repeating: 0.8), to: path)
        XCTAssertEqual(try PNG.read(path).shape, [1, 3, 4, 4])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["a.png"])
    }

    func testWriteIntoMissingFolderThrowsNamingThePath() throws {
        let path = scratch.appendingPathComponent("missing/x.png").path
        XCTAssertThrowsError(try PNG.write(Tensor(shape: [1, 3, 1, 1], repeating: 0), to: path)) { error in
            guard case let ImageError.writeFailed(named, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(named, path)
        }
    }

    /// The four photos in data/photos load with their known sizes and sensible values.
    func testPhotosLoadWithTheirSizes() throws {
        let sizes = ["astronaut": (512, 512), "chelsea": (300, 451), "coffee": (400, 600), "rocket": (427, 640)]
        for (name, (height, width)) in sizes {
            let image = try PNG.read(root.appendingPathComponent("data/photos/\(name).png").path)
            XCTAssertEqual(image.shape, [1, 3, height, width], name)
            XCTAssertGreaterThanOrEqual(image.scalars.min()!, 0)
            XCTAssertLessThanOrEqual(image.scalars.max()!, 1)
            let mean = image.scalars.reduce(0, +) / Float(image.count)
            XCTAssertTrue(mean > 0.05 && mean < 0.95, "\(name) mean \(mean)")
        }
    }

    /// Gray is replicated to three channels.
    func testGrayIsReplicated() throws {
        let png = TinyPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: 0, rows: [[0, 200]])
        let image = try PNG.decode(png)
        XCTAssertEqual(image.shape, [1, 3, 1, 2])
        XCTAssertEqual(image.scalars, [0, 200, 0, 200, 0, 200].map { Float($0) / 255 })
    }

    /// RGBA keeps the stored colour and drops alpha, even for fully transparent pixels.
    func testAlphaIsDropped() throws {
        let png = TinyPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: 6,
                                 rows: [[255, 0, 0, 255, 10, 20, 30, 0]])
        let image = try PNG.decode(png)
        let expected: [Float] = [255, 10, 0, 20, 0, 30].map { Float($0) / 255 }
        for (a, b) in zip(image.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// Palette images are expanded through their PLTE.
    func testPaletteIsExpanded() throws {
        let png = TinyPNG.encode(width: 3, height: 1, bitDepth: 8, colorType: 3, rows: [[2, 0, 1]],
                                 palette: [[9, 8, 7], [100, 110, 120], [255, 0, 64]])
        let image = try PNG.decode(png)
        let expected: [Float] = [255, 9, 100, 0, 8, 110, 64, 7, 120].map { Float($0) / 255 }
        for (a, b) in zip(image.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// 16-bit RGB (no gamma chunk) reduces to the nearest 8-bit level, not through a gamma curve.
    func testSixteenBitReducesToEightBits() throws {
        let samples: [UInt16] = [0, 0x8080, 0xFFFF, 0x1A1A, 0x4040, 0xC0C0]   // 2 pixels
        let bytes = samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let png = TinyPNG.encode(width: 2, height: 1, bitDepth: 16, colorType: 2, rows: [bytes])
        let image = try PNG.decode(png)
        let expected: [Float] = [0, 0x1A, 0x80, 0x40, 0xFF, 0xC0].map { Float($0) / 255 }
        for (a, b) in zip(image.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testMissingFileThrowsNotFound() {
        let path = scratch.appendingPathComponent("nope.png").path
        XCTAssertThrowsError(try PNG.read(path)) { XCTAssertEqual($0 as? ImageError, .notFound(path)) }
    }

    func testTextFileThrowsNotPNGNamingTheFile() throws {
        let path = scratch.appendingPathComponent("notes.png").path
        try "just some text, not an image\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try PNG.read(path)) { error in
            XCTAssertEqual(error as? ImageError, .notPNG(path))
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    /// A photo cut in half (and one cut inside its header) is `corrupt`, with libpng's message and the path.
    func testTruncatedPNGThrowsCorruptNamingTheFile() throws {
        let full = try Data(contentsOf: root.appendingPathComponent("data/photos/chelsea.png"))
        for keep in [full.count / 2, 20] {
            let path = scratch.appendingPathComponent("cut-\(keep).png").path
            try full.prefix(keep).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try PNG.read(path)) { error in
                guard case let ImageError.corrupt(named, message) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(named, path)
                XCTAssertFalse(message.isEmpty)
                XCTAssertTrue("\(error)".contains(path))
            }
        }
    }
}

/// A tiny deterministic generator so the test does not depend on the engine's RNG.
private struct SystemLikeLCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
}

/// A minimal PNG encoder independent of libpng (zlib "stored" blocks, filter 0), so the reader is
/// tested on files libpng's writer would never produce: 16-bit, palette, gray, transparent pixels.
enum TinyPNG {
    static func encode(width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, rows: [[UInt8]],
                       palette: [[UInt8]] = []) -> Data {
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: UInt32(width))
        header.append(bigEndian: UInt32(height))
        header.append(contentsOf: [bitDepth, colorType, 0, 0, 0])
        chunk("IHDR", header, into: &png)
        if !palette.isEmpty { chunk("PLTE", Data(palette.flatMap { $0 }), into: &png) }
        let raw: [UInt8] = rows.flatMap { row -> [UInt8] in [0] + row }
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", Data(), into: &png)
        return png
    }

    private static func chunk(_ type: String, _ body: Data, into png: inout Data) {
        png.append(bigEndian: UInt32(body.count))
        let typed = Data(type.utf8) + body
        png.append(typed)
        png.append(bigEndian: crc32(typed))
    }

    private static func zlibStored(_ bytes: [UInt8]) -> Data {
        precondition(bytes.count < 65_536)
        var out = Data([0x78, 0x01, 0x01])   // zlib header, one final stored block
        let n = UInt16(bytes.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)])
        out.append(contentsOf: bytes)
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        out.append(bigEndian: (b << 16) | a)
        return out
    }

    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }
}

private extension Data {
    mutating func append(bigEndian value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
