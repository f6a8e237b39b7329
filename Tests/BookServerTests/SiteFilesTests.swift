import BookServer
import Foundation
import XCTest

final class SiteFilesTests: XCTestCase {
    var root: URL!
    var files: SiteFiles!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("site-files-\(UUID())")
        let site = root.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("01-basic"), withIntermediateDirectories: true)
        try Data("<html></html>".utf8).write(to: site.appendingPathComponent("index.html"))
        try Data("png".utf8).write(to: site.appendingPathComponent("01-basic/cell-1-1.png"))
        try Data("secret".utf8).write(to: root.appendingPathComponent("secret.txt"))
        try FileManager.default.createSymbolicLink(at: site.appendingPathComponent("link.txt"),
                                                   withDestinationURL: root.appendingPathComponent("secret.txt"))
        files = SiteFiles(site: site)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func testFilesInsideResolve() throws {
        XCTAssertEqual(try files.resolve("/").lastPathComponent, "index.html")
        XCTAssertEqual(try files.resolve("/01-basic/cell-1-1.png").lastPathComponent, "cell-1-1.png")
        XCTAssertEqual(try files.resolve("/01-basic%2Fcell-1-1.png").lastPathComponent, "cell-1-1.png")
        XCTAssertThrowsError(try files.resolve("/missing.html")) { XCTAssertEqual($0 as? SiteFiles.Problem, .notFound("/missing.html")) }
    }

    func testPathsLeavingTheSiteAreRefused() {
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/01-basic/../../secret.txt", "/..%2Fsecret.txt",
                     "/link.txt", "/./index.html", "/01-basic\\..\\..\\secret.txt", "/%00", "relative", "/%zz"] {
            XCTAssertThrowsError(try files.resolve(path), path) { XCTAssertEqual($0 as? SiteFiles.Problem, .outside(path), path) }
        }
    }
}
