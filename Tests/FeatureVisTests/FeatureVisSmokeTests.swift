import XCTest
@testable import FeatureVis

final class FeatureVisSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
