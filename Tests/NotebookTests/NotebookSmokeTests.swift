import XCTest
@testable import Notebook

final class NotebookSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
