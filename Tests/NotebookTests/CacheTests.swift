import Foundation
import XCTest
@testable import Notebook

/// The cache: unchanged chapters are not re-run, prose edits re-render without re-running,
/// code edits run again.
final class CacheTests: NotebookTestCase {
    private var chapterFile: URL!
    private var settings: BuildSettings!

    override func setUpWithError() throws {
        try super.setUpWithError()
        let book = scratch.appendingPathComponent("book")
        try FileManager.default.createDirectory(at: book, withIntermediateDirectories: true)
        chapterFile = book.appendingPathComponent("01-cached.md")
        try FileManager.default.copyItem(at: Harness.books.appendingPathComponent("cache/01-cached.md"), to: chapterFile)
        settings = Harness.settings(chapters: book, scratch: scratch)
    }

    private func build(force: Bool = false) throws -> ChapterResult {
        var settings = self.settings!
        settings.force = force
        return try XCTUnwrap(Harness.builder(settings).build().results.first)
    }

    private func edit(_ change: (String) -> String) throws {
        let text = try String(contentsOf: chapterFile, encoding: .utf8)
        try change(text).write(to: chapterFile, atomically: true, encoding: .utf8)
    }

    func testUnchangedChapterIsNotRerun() throws {
        let first = try build()
        XCTAssertFalse(first.fromCache)
        XCTAssertEqual(first.cells[0].stdout, "run 3\n")
        let second = try build()
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(second.cells, first.cells)
        XCTAssertFalse(try build(force: true).fromCache, "--force runs again")
    }

    func testProseEditReRendersWithoutRerunning() throws {
        let first = try build()
        XCTAssertEqual(first.cells[0].checks.first?.line, 8)
        try edit { $0.replacingOccurrences(of: "Some prose.\n", with: "Some prose.\n\nA new paragraph about caching.\n\nAnd one more.\n") }
        let second = try build()
        XCTAssertTrue(second.fromCache, "a prose edit does not re-run the chapter")
        XCTAssertEqual(second.cells[0].stdout, "run 3\n")
        XCTAssertEqual(second.cells[0].firstLine, first.cells[0].firstLine + 4)
        XCTAssertEqual(second.cells[0].checks.first?.line, 12, "stored lines follow the cell")
        let html = try page("01-cached")
        XCTAssertTrue(html.contains("A new paragraph about caching."), "the page is rendered again")
        XCTAssertTrue(html.contains(":12</span>"))
    }

    /// A trap inside a function from cell 1, called from cell 2: the stored line moves with cell 1.
    func testStoredLinesMoveWithTheCellThatHoldsThem() throws {
        try FileManager.default.removeItem(at: chapterFile)
        chapterFile = chapterFile.deletingLastPathComponent().appendingPathComponent("02-precondition.md")
        try FileManager.default.copyItem(at: Harness.books.appendingPathComponent("trap/02-precondition.md"), to: chapterFile)
        XCTAssertEqual(try build().cells[1].failure?.line, 5)
        try edit { $0.replacingOccurrences(of: "```\n\n```swift\nprint(checkedHalf(3))", with: "```\n\nMore.\n\n```swift\nprint(checkedHalf(3))") }
        let between = try build()
        XCTAssertTrue(between.fromCache)
        XCTAssertEqual(between.cells[1].firstLine, 14)
        XCTAssertEqual(between.cells[1].failure?.line, 5, "cell 1 did not move")
        try edit { "Opening words.\n\n" + $0 }
        XCTAssertEqual(try build().cells[1].failure?.line, 7)
    }

    func testCodeEditRerunsTheChapter() throws {
        XCTAssertFalse(try build().fromCache)
        try edit { $0.replacingOccurrences(of: "let stamp = 3", with: "let stamp = 4") }
        let second = try build()
        XCTAssertFalse(second.fromCache)
        XCTAssertEqual(second.cells[0].stdout, "run 4\n")
        XCTAssertFalse(second.passed, "the check now fails")
        try edit { $0.replacingOccurrences(of: "```swift\n", with: "```swift hidden\n") }
        XCTAssertFalse(try build().fromCache, "an attribute edit runs again")
    }

    func testKeyCoversEngineWeightsModeAndMachineCode() throws {
        let chapter = BookParser.parseChapter(try String(contentsOf: chapterFile, encoding: .utf8), path: "chapters/01-cached.md")
        let base = CacheContext(engine: "1-2", weights: "w:10", compiler: "/usr/bin/swiftc", quick: false, defaultTimeout: 600)
        let key = ResultCache(folder: scratch, context: base).key(for: chapter)
        var engine = base; engine.engine = "1-3"
        var weights = base; weights.weights = "w:11"
        var quick = base; quick.quick = true
        var machine = base; machine.machineCode = "kernels=avx512 core=Haswell"   // another OpenBLAS core: other bits
        for changed in [engine, weights, quick, machine] {
            XCTAssertNotEqual(ResultCache(folder: scratch, context: changed).key(for: chapter), key)
        }
        let moved = BookParser.parseChapter("# Moved\n\nprose\n\n" + (try String(contentsOf: chapterFile, encoding: .utf8)),
                                            path: "chapters/01-cached.md")
        XCTAssertEqual(ResultCache(folder: scratch, context: base).key(for: moved), key, "prose does not enter the key")
    }
}
