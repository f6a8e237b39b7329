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
