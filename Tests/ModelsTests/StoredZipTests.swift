import Foundation
import XCTest
@testable import Models

/// The zip reader on archives written here: ZIP64 extra fields, compressed entries, other prefixes.
final class StoredZipTests: XCTestCase {
    /// The entries of tiny-zip.pth, as (name, data), read with the reader under test.
    private func tinyEntries() throws -> [(String, [UInt8])] {
        let bytes = try Fixtures.bytes(Fixtures.tinyZip)
        let zip = try StoredZip(bytes, file: "tiny")
        return try zip.names.map { ($0, Array(bytes[try XCTUnwrap(try zip.range(of: $0))])) }
    }

    func testZip64ExtraFieldsAreHonoured() throws {
        let original = try Checkpoint(contentsOf: Fixtures.tinyZip)
        let rewritten = try Checkpoint(bytes: ZipWriter.archive(try tinyEntries(), zip64Fields: true), file: "zip64")
        XCTAssertEqual(rewritten.keys, original.keys)
        for key in original.keys { XCTAssertEqual(rewritten[key], original[key], key) }
    }

    func testAnotherArchivePrefixLoads() throws {
        let renamed = try tinyEntries().map { ("archive/" + $0.0.split(separator: "/", maxSplits: 1)[1], $0.1) }
        let checkpoint = try Checkpoint(bytes: ZipWriter.archive(renamed), file: "renamed")
        XCTAssertEqual(checkpoint.count, 13)
    }

    func testCompressedEntriesAreUnsupportedNotMisread() throws {
        let bytes = ZipWriter.archive(try tinyEntries(), method: 8)
        XCTAssertThrowsError(try Checkpoint(bytes: bytes, file: "deflated")) { error in
            guard case let .unsupported(file, detail)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "deflated")
            XCTAssertTrue(detail.contains("compressed"), detail)
        }
    }

    func testZipWithoutDataPickleIsNotACheckpoint() throws {
        XCTAssertThrowsError(try Checkpoint(bytes: ZipWriter.archive([("notes.txt", Array("hi".utf8))]), file: "notes.zip")) { error in
            XCTAssertEqual(error as? CheckpointError, .notACheckpoint(file: "notes.zip", "zip archive has no data.pkl: not a torch.save file"))
        }
    }
}

/// A minimal zip writer: entries' bytes stored as they are, optionally with every size and offset
/// moved into ZIP64 extra fields, optionally labelled with another compression method.
enum ZipWriter {
    static func archive(_ entries: [(String, [UInt8])], zip64Fields: Bool = false, method: UInt16 = 0) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le<T: FixedWidthInteger>(_ value: T, into buffer: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { buffer += $0 }
        }
        for (name, data) in entries {
            let offset = out.count
            let nameBytes = Array(name.utf8)
            le(UInt32(0x0403_4B50), into: &out)
            le(UInt16(45), into: &out); le(UInt16(0), into: &out); le(method, into: &out)
            le(UInt32(0), into: &out); le(UInt32(0), into: &out)                       // time, CRC (unchecked)
            le(UInt32(data.count), into: &out); le(UInt32(data.count), into: &out)
            le(UInt16(nameBytes.count), into: &out); le(UInt16(0), into: &out)
            out += nameBytes + data

            let saturated = zip64Fields ? UInt32.max : nil
            le(UInt32(0x0201_4B50), into: &central)
            le(UInt16(45), into: &central); le(UInt16(45), into: &central); le(UInt16(0), into: &central); le(method, into: &central)
            le(UInt32(0), into: &central); le(UInt32(0), into: &central)
            le(saturated ?? UInt32(data.count), into: &central); le(saturated ?? UInt32(data.count), into: &central)
            le(UInt16(nameBytes.count), into: &central); le(UInt16(zip64Fields ? 28 : 0), into: &central); le(UInt16(0), into: &central)
            le(UInt16(0), into: &central); le(UInt16(0), into: &central); le(UInt32(0), into: &central)
            le(saturated ?? UInt32(offset), into: &central)
            central += nameBytes
            if zip64Fields {
                le(UInt16(0x0001), into: &central); le(UInt16(24), into: &central)
                le(UInt64(data.count), into: &central); le(UInt64(data.count), into: &central); le(UInt64(offset), into: &central)
            }
        }
        let centralOffset = out.count
        out += central
        le(UInt32(0x0605_4B50), into: &out)
        le(UInt16(0), into: &out); le(UInt16(0), into: &out)
        le(UInt16(entries.count), into: &out); le(UInt16(entries.count), into: &out)
        le(UInt32(central.count), into: &out); le(UInt32(centralOffset), into: &out); le(UInt16(0), into: &out)
        return out
    }
}
