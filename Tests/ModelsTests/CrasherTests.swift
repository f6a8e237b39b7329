import Foundation
import XCTest
@testable import Models

/// Every input in Tests/Fixtures/crashers that once crashed a reader is now a thrown error that
/// names the file (see Tests/Fixtures/crashers/README.md).
final class CrasherTests: XCTestCase {
    private func crashers(_ kind: String) throws -> [String] {
        let folder = Fixtures.repository.appendingPathComponent("Tests/Fixtures/crashers/\(kind)")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    func testCheckpointCrashersThrowCheckpointErrors() throws {
        for path in try crashers("checkpoint") {
            XCTAssertThrowsError(try Checkpoint(contentsOf: path), path) { error in
                guard let error = error as? CheckpointError else { return XCTFail("\(path): \(error) is not a CheckpointError") }
                XCTAssertTrue(error.description.hasPrefix(path + ": "), error.description)
            }
        }
    }

    /// The fuzzer's leak (legacy-cycle-then-error-leak.pth): a pickle that appends a list to
    /// itself and then fails. The failed load must empty what it made, or the cycle leaks.
    func testFailedUnpicklingBreaksTheCyclesItMade() throws {
        let bytes: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x68, 0, 0x68, 0, 0x61, 0xFF]
        var unpickler = Unpickler(ByteReader(bytes, file: "cycle.pkl"))
        XCTAssertThrowsError(try unpickler.load()) { error in
            XCTAssertTrue("\(error)".contains("opcode 0xFF at offset 13"), "\(error)")
        }
        XCTAssertTrue(unpickler.containers.isEmpty, "the list that holds itself was not emptied")
        // And through the legacy reader, on the fuzzer's file.
        let path = Fixtures.repository.appendingPathComponent("Tests/Fixtures/crashers/checkpoint/legacy-cycle-then-error-leak.pth").path
        XCTAssertThrowsError(try Checkpoint(contentsOf: path))
    }

    func testPNGCrashersThrowImageErrors() throws {
        let paths = try crashers("png")
        XCTAssertFalse(paths.isEmpty)
        for path in paths {
            XCTAssertThrowsError(try PNG.read(path), path) { error in
                guard let error = error as? ImageError else { return XCTFail("\(path): \(error) is not an ImageError") }
                XCTAssertTrue(error.description.hasPrefix(path + ": "), error.description)
            }
        }
    }
}
