import Foundation
import XCTest

/// Paths to the repository's fixture files, found from this source file's location.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reference = repository.appendingPathComponent("Tests/Fixtures/reference")
    static var tinyZip: String { reference.appendingPathComponent("tiny-zip.pth").path }
    static var tinyLegacy: String { reference.appendingPathComponent("tiny-legacy.pth").path }
    static var tinyJSON: URL { reference.appendingPathComponent("tiny.json") }

    /// PyTorch's numbers for a model of the EfficientNet-Lite family ("efficientnet-lite1").
    static func efficientNetReference(_ model: String = "efficientnet-lite0") -> URL {
        reference.appendingPathComponent("\(model)-chelsea.json")
    }
    static func photo(_ name: String) -> String { repository.appendingPathComponent("data/photos/\(name)").path }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(for test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fvbook-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
