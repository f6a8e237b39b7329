import Foundation
import RenderCache
import XCTest

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex(of: [UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(of: [UInt8](repeating: 0x61, count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// Pieces of every size give the digest of the whole (the block buffering is right).
    func testStreamingInPiecesMatchesOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.digest(message)
        for piece in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                hasher.update(Array(message[offset..<min(offset + piece, message.count)]))
                offset += piece
            }
            XCTAssertEqual(hasher.finalize(), whole, "pieces of \(piece) bytes")
        }
    }

    func testFileDigestMatchesBytes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID()).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 >> 3) }
        try Data(bytes).write(to: file)
        XCTAssertEqual(SHA256.hex(ofFile: file.path), SHA256.hex(of: bytes))
        XCTAssertNil(SHA256.hex(ofFile: file.path + ".missing"))
    }
}
