import Foundation
import XCTest
@testable import Notebook

/// The `fvbook` executable: output, summary line and exit codes (0 pass, 1 failing chapter, 2 bad input).
final class CommandLineTests: NotebookTestCase {
    /// Runs fvbook with this test's site and cache folders.
    private func fvbook(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try fvbook(arguments + ["--site", scratch.appendingPathComponent("site").path,
                                "--cache", scratch.appendingPathComponent("cache").path], environment: [:])
    }

    func testTestCommandPrintsResultsAndFailsOnAFailingChapter() throws {
        let run = try fvbook(["test", "--chapters", "Tests/Fixtures/books/check"])
        XCTAssertEqual(run.status, 1)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.last, "0 passed, 1 failed")
        XCTAssertTrue(lines.contains { $0.hasPrefix("FAIL Tests/Fixtures/books/check/01-check.md") })
        XCTAssertTrue(lines.contains("  Tests/Fixtures/books/check/01-check.md:6: check failed: two and two make five"))
        XCTAssertTrue(run.stderr.contains("cell 1 (line 4)"), "progress names cells and lines")
    }

    func testBuildPassesAndRunRendersOneChapter() throws {
        let build = try fvbook(["build", "--chapters", "Tests/Fixtures/books/state"])
        XCTAssertEqual(build.status, 0, build.stderr)
        XCTAssertTrue(build.stdout.hasPrefix("1 passed, 0 failed"))
        let run = try fvbook(["run", "Tests/Fixtures/books/state/01-state.md", "--chapters", "Tests/Fixtures/books/state"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("passed (cached)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("site/01-state.html").path))
    }

    func testBadInputExitsWithStatusTwo() throws {
        XCTAssertEqual(try fvbook(["build", "--chapters", "no/such/folder"]).status, 2)
        let unknown = try fvbook(["run", "chapters/99-nope.md", "--chapters", "Tests/Fixtures/books/state"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no chapter `chapters/99-nope.md`"), unknown.stderr)
        XCTAssertEqual(try fvbook(["build", "--no-such-flag"]).status, 2)
    }
}
