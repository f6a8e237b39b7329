import Foundation
import Models
import XCTest

/// What a test does when the pretrained weights are missing: skip on a developer's machine that
/// has not run `make setup`, but fail in CI (`CI=true`), where set-up ran and a missing file
/// means it is broken.
///
/// ```swift
/// do { network = try EfficientNetLite0.pretrained() } catch let error as MissingWeightsError { throw missingWeights(error) }
/// ```
public func missingWeights(_ error: MissingWeightsError, file: StaticString = #filePath, line: UInt = #line) -> Error {
    if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("in CI the weights must be set up: \(error)", file: file, line: line)
        return error
    }
    return XCTSkip("\(error)")
}
