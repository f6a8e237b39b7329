import Foundation
import XCTest
@testable import Notebook

/// Fixture mini-books through the whole pipeline: parse → generate → compile → run → render.
final class PipelineTests: NotebookTestCase {
    func testStateFlowsBetweenCells() throws {
        let report = try Harness.build("state", scratch: scratch)
        let chapter = try result(report, "01-state.md")
        XCTAssertTrue(chapter.passed, "\(chapter.allFailures)")
        XCTAssertEqual(chapter.cells.map(\.status), [.passed, .passed, .passed])
        XCTAssertEqual(chapter.cells[0].stdout, "")
        XCTAssertEqual(chapter.cells[1].stdout, "counter: 42\n")
        XCTAssertEqual(chapter.cells[2].stdout, "point: 84 1\n")
        XCTAssertNotNil(chapter.cells[2].seconds)
        XCTAssertLessThan(chapter.compileSeconds, 30)
        XCTAssertNotNil(chapter.startupSeconds)
    }

    /// A chapter program stores its renders, and a second program with the same render finds it:
    /// the engine's own binary (the chapter library, far down `/proc/self/maps`) is part of the key.
    func testChapterProgramsMemoizeRenders() throws {
        let settings = Harness.settings(chapters: Harness.books.appendingPathComponent("memo"), scratch: scratch)
        let renders = try XCTUnwrap(settings.renderCache, "the runner turns the render store on")
        let first = try result(try Harness.builder(settings).build(), "01-memo.md")
        XCTAssertTrue(first.passed, "\(first.allFailures)")
        XCTAssertTrue(first.cells[0].stdout.contains("memo hits 0 stores 1\n"), first.cells[0].stdout)
        let stored = FileManager.default.enumerator(atPath: renders.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".render") } ?? []
        XCTAssertEqual(stored.count, 1, "one render in \(renders.path)")

        try FileManager.default.removeItem(at: settings.cache)   // the chapter runs again, its render does not
        let second = try result(try Harness.builder(settings).build(), "01-memo.md")
        XCTAssertTrue(second.cells[0].stdout.contains("memo hits 1 stores 0\n"), second.cells[0].stdout)
        let bits = { (r: ChapterResult) in r.cells[0].stdout.split(separator: "\n").last { $0.hasPrefix("objective bits") } }
        XCTAssertEqual(bits(first), bits(second))
    }

    func testCompileErrorIsReportedAtItsMarkdownLineAndColumn() throws {
        let report = try Harness.build("compile-error", scratch: scratch)
        let broken = try result(report, "01-broken.md")
        XCTAssertFalse(broken.passed)
        XCTAssertEqual(broken.cells.map(\.status), [.notRun, .failed, .notRun])
        let failure = try XCTUnwrap(broken.cells[1].failure)
        XCTAssertEqual(failure.kind, .compile)
        XCTAssertEqual(failure.line, 11)
        XCTAssertEqual(failure.column, 20)
        XCTAssertTrue(failure.message.contains("undefinedName"), failure.message)
        XCTAssertTrue(failure.description.hasPrefix("\(Harness.path("compile-error", "01-broken.md")):11:20: error: "),
                      failure.description)
        XCTAssertTrue(failure.details.contains("undefinedName"))

        // An indented fence: cmark strips the indentation, the column puts it back.
        let indented = try result(report, "02-indented.md")
        let shifted = try XCTUnwrap(indented.cells[0].failure)
        XCTAssertEqual(shifted.line, 7)
        XCTAssertEqual(shifted.column, 11)

        // The other chapter still builds.
        XCTAssertTrue(try result(report, "03-fine.md").passed)
        XCTAssertEqual(report.summary, "1 passed, 2 failed")
        let html = try page("01-broken")
        XCTAssertTrue(html.contains("Compile error"))
        XCTAssertTrue(html.contains("01-broken.md:11:20"))
    }

    func testTrapKeepsEarlierCellsAndReportsItsLine() throws {
        let report = try Harness.build("trap", scratch: scratch)

        let index = try result(report, "01-index.md")
        XCTAssertEqual(index.cells.map(\.status), [.passed, .failed, .notRun])
        XCTAssertEqual(index.cells[0].stdout, "before the trap\n")
        XCTAssertEqual(index.cells[1].stdout, "about to index\n")
        let outOfRange = try XCTUnwrap(index.cells[1].failure)
        XCTAssertEqual(outOfRange.kind, .trap)
        XCTAssertEqual(outOfRange.line, 11, "the backtrace's frame in the chapter gives the line")
        XCTAssertTrue(outOfRange.message.contains("Index out of range"), outOfRange.message)
        XCTAssertFalse(index.cells[1].stderr.contains("Backtracing"), "the backtrace is not shown as output")

        // A precondition inside a function from an earlier cell: its own line, charged to the calling cell.
        let precondition = try result(report, "02-precondition.md")
        XCTAssertEqual(precondition.cells.map(\.status), [.passed, .failed])
        XCTAssertEqual(precondition.cells[0].stdout, "2\n")
        let failed = try XCTUnwrap(precondition.cells[1].failure)
        XCTAssertEqual(failed.message, "Precondition failed: odd number 3")
        XCTAssertEqual(failed.line, 5)
        XCTAssertEqual(failed.cell, 2)

        let fatal = try result(report, "03-fatal.md")
        XCTAssertEqual(fatal.cells[1].failure?.message, "Fatal error: stop here")
        XCTAssertEqual(fatal.cells[1].failure?.line, 8)

        XCTAssertTrue(try result(report, "04-unharmed.md").passed)
        XCTAssertEqual(report.summary, "1 passed, 3 failed")
        let html = try page("01-index")
        XCTAssertTrue(html.contains("before the trap"))
        XCTAssertTrue(html.contains("Index out of range"))
        XCTAssertTrue(html.contains("01-index.md:11"))
    }

    func testFailingCheckFailsTheChapterButTheCellContinues() throws {
        let report = try Harness.build("check", scratch: scratch)
        let chapter = try result(report, "01-check.md")
        XCTAssertFalse(chapter.passed)
        XCTAssertEqual(chapter.cells.map(\.status), [.failed, .passed])
        XCTAssertEqual(chapter.cells[0].checks, [
            CheckOutput(passed: true, message: "two and two make four", line: 5),
            CheckOutput(passed: false, message: "two and two make five", line: 6),
        ])
        XCTAssertEqual(chapter.cells[0].stdout, "the cell continues after a failed check\n")
        XCTAssertEqual(chapter.cells[1].stdout, "and so does the next cell\n")
        let failures = chapter.allFailures
        XCTAssertEqual(failures.count, 1)
        XCTAssertEqual(failures[0].kind, .check)
        XCTAssertEqual(failures[0].line, 6)
    }

    func testShouldFailCells() throws {
        let report = try Harness.build("should-fail", scratch: scratch)

        let traps = try result(report, "01-traps.md")
        XCTAssertTrue(traps.passed, "\(traps.allFailures)")
        XCTAssertEqual(traps.cells.map(\.status), [.passed, .failedAsExpected, .passed])
        XCTAssertEqual(traps.cells[1].expectedFailure?.kind, .trap)
        XCTAssertEqual(traps.cells[1].expectedFailure?.line, 9)
        XCTAssertEqual(traps.cells[1].stdout, "about to fail\n")
        XCTAssertEqual(traps.cells[2].stdout, "after: 2\n", "cells after a should-fail cell run")

        let noCompile = try result(report, "02-does-not-compile.md")
        XCTAssertTrue(noCompile.passed, "\(noCompile.allFailures)")
        XCTAssertEqual(noCompile.cells.map(\.status), [.passed, .failedAsExpected, .passed])
        XCTAssertEqual(noCompile.cells[1].expectedFailure?.kind, .compile)
        XCTAssertEqual(noCompile.cells[1].expectedFailure?.line, 8)
        XCTAssertEqual(noCompile.cells[2].stdout, "after: swift\n")

        let runsFine = try result(report, "03-runs-fine.md")
        XCTAssertFalse(runsFine.passed)
        XCTAssertEqual(runsFine.cells.map(\.status), [.passed, .failed])
        XCTAssertEqual(runsFine.cells[1].failure?.kind, .unexpectedSuccess)
        XCTAssertEqual(runsFine.cells[1].stdout, "no problem here 1\n")

        let both = try result(report, "04-both.md")
        XCTAssertTrue(both.passed, "\(both.allFailures)")
        XCTAssertEqual(both.cells.map(\.status), [.passed, .failedAsExpected, .failedAsExpected, .passed])
        XCTAssertEqual(both.cells[1].expectedFailure?.kind, .compile)
        XCTAssertEqual(both.cells[2].expectedFailure?.kind, .trap)
        XCTAssertEqual(both.cells[2].expectedFailure?.message, "Precondition failed: log is not empty")
        XCTAssertEqual(both.cells[3].stdout, "start,end\n")
        XCTAssertEqual(report.summary, "3 passed, 1 failed")
    }

    func testHiddenAndNoRunCells() throws {
        let report = try Harness.build("visibility", scratch: scratch)
        let chapter = try result(report, "01-visibility.md")
        XCTAssertTrue(chapter.passed, "\(chapter.allFailures)")
        XCTAssertEqual(chapter.cells.map(\.status), [.passed, .skipped, .passed])
        XCTAssertEqual(chapter.cells[2].stdout, "the hidden cell set 42\n")
        let html = try page("01-visibility")
        // A hidden cell is set-up code: at its place, numbered, folded.
        let setup = try XCTUnwrap(html.range(of: "<section class=\"cell passed setup\" id=\"cell-1\""), html)
        let folded = try XCTUnwrap(html.range(of: "<details><summary class=\"cell-head\"><span class=\"tag\">setup code</span>"))
        let code = try XCTUnwrap(html.range(of: "secretSetting"))
        XCTAssertTrue(setup.upperBound < folded.lowerBound && folded.upperBound < code.lowerBound)
        XCTAssertTrue(html.contains("<span class=\"number\">[1]</span></summary>"))
        XCTAssertTrue(html.contains("and would never compile"), "a no-run cell is shown")
        XCTAssertTrue(html.contains("<span class=\"tag\">not run</span>"))
        XCTAssertTrue(html.contains("the hidden cell set 42"))
    }

    func testTimeoutKillsTheChapterAndItsChildren() throws {
        let started = Date()
        let report = try Harness.build("timeout", scratch: scratch)
        let elapsed = Date().timeIntervalSince(started)
        let chapter = try result(report, "01-forever.md")
        XCTAssertEqual(chapter.cells.map(\.status), [.passed, .failed, .notRun])
        XCTAssertEqual(chapter.cells[1].failure?.kind, .timeout)
        XCTAssertEqual(chapter.cells[1].failure?.line, 13)
        XCTAssertTrue(chapter.cells[0].stdout.hasPrefix("started\n"))
        XCTAssertLessThan(chapter.runSeconds, 10)
        XCTAssertLessThan(elapsed, 60)

        // The `sleep 300` the first cell started (in a process group of its own) was killed too.
        let pidText = try XCTUnwrap(chapter.cells[0].stdout.split(separator: "\n").last?.split(separator: " ").last)
        let pid = try XCTUnwrap(pid_t(pidText))
        var alive = true
        for _ in 0..<50 {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            alive = !stat.isEmpty && !stat.contains(") Z ")
            if !alive { break }
            usleep(100_000)
        }
        XCTAssertFalse(alive, "the helper process \(pid) outlived the time-out")
    }

    func testImagesAreAttributedToTheirCells() throws {
        let report = try Harness.build("images", scratch: scratch)
        let chapter = try result(report, "01-images.md")
        XCTAssertTrue(chapter.passed, "\(chapter.allFailures)")
        XCTAssertEqual(chapter.cells[0].images.map(\.caption), ["red"])
        XCTAssertEqual(chapter.cells[1].images, [])
        XCTAssertEqual(chapter.cells[2].images.map(\.caption), ["green", "blue"])
        XCTAssertEqual(chapter.cells[2].images.map(\.columns), [2, 2])
        XCTAssertNotNil(chapter.cells[2].images[0].group)
        XCTAssertEqual(chapter.cells[2].images[0].group, chapter.cells[2].images[1].group)

        // The PNGs are in the folder beside the page, with the sizes the cells made.
        let folder = scratch.appendingPathComponent("site/01-images")
        for (image, size) in zip(chapter.cells.flatMap(\.images), [(10, 6), (10, 6), (4, 4)]) {
            let data = try Data(contentsOf: folder.appendingPathComponent(image.file))
            XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            XCTAssertEqual(bigEndian(data, at: 16), UInt32(size.0), image.file)
            XCTAssertEqual(bigEndian(data, at: 20), UInt32(size.1), image.file)
            XCTAssertEqual(image.width, size.0)
        }
        XCTAssertTrue(chapter.cells[0].images[0].file.hasPrefix("cell-1-"))
        XCTAssertTrue(chapter.cells[2].images[0].file.hasPrefix("cell-3-"))

        // In the page, each image sits inside its cell's section; the index uses the last as thumbnail.
        let html = try page("01-images")
        let cell1 = try XCTUnwrap(html.range(of: "id=\"cell-1\"")), cell2 = try XCTUnwrap(html.range(of: "id=\"cell-2\""))
        let red = try XCTUnwrap(html.range(of: "01-images/\(chapter.cells[0].images[0].file)"))
        XCTAssertTrue(cell1.upperBound < red.lowerBound && red.upperBound < cell2.lowerBound)
        let index = try String(contentsOf: scratch.appendingPathComponent("site/index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("01-images/\(chapter.cells[2].images[1].file)"))
    }

    func testQuickModeReachesTheChapterAndCachesSeparately() throws {
        let chapters = Harness.books.appendingPathComponent("quick")
        let full = try Harness.builder(Harness.settings(chapters: chapters, scratch: scratch)).build()
        let settings = BuildSettings(root: Harness.root, quick: true, chapters: chapters,
                                     site: scratch.appendingPathComponent("site-quick"), cache: scratch.appendingPathComponent("cache-quick"),
                                     work: scratch.appendingPathComponent("work-quick"))
        let quick = try Harness.builder(settings).build()
        XCTAssertEqual(full.results[0].cells[0].stdout, "quick: false steps: 512\n")
        XCTAssertEqual(quick.results[0].cells[0].stdout, "quick: true steps: 8\n")
        XCTAssertFalse(quick.results[0].fromCache)
        XCTAssertTrue(try String(contentsOf: scratch.appendingPathComponent("site-quick/01-quick.html"), encoding: .utf8)
                        .contains("quick mode"))
        // Default folders keep quick builds away from the committed site and the full cache.
        let defaults = BuildSettings(root: Harness.root, quick: true)
        XCTAssertEqual(defaults.site.path, Harness.root.appendingPathComponent(".build/site-quick").path)
        XCTAssertNotEqual(defaults.cache.path, BuildSettings(root: Harness.root).cache.path)
    }

    func testParseProblemsAreReportedWhileOtherChaptersBuild() throws {
        let report = try Harness.build("parse-problems", scratch: scratch)
        let unclosed = try result(report, "01-unclosed.md")
        XCTAssertEqual(unclosed.failures.map(\.kind), [.parse])
        XCTAssertEqual(unclosed.failures.first?.line, 3)
        XCTAssertTrue(unclosed.failures[0].message.contains("unclosed"), unclosed.failures[0].message)
        let empty = try result(report, "02-no-cells.md")
        XCTAssertTrue(empty.failures.first?.message.contains("no ```swift cells") == true)
        let misspelt = try result(report, "03-bad-attribute.md")
        XCTAssertEqual(misspelt.failures.first?.line, 3)
        XCTAssertTrue(misspelt.failures.first?.message.contains("did you mean `hidden`") == true, "\(misspelt.failures)")
        XCTAssertTrue(try result(report, "04-fine.md").passed)
        XCTAssertEqual(report.summary, "1 passed, 3 failed")
        for slug in ["01-unclosed", "02-no-cells", "03-bad-attribute", "04-fine", "index"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("site/\(slug).html").path), slug)
        }
        XCTAssertTrue(try page("01-unclosed").contains("unclosed code fence"))
    }

    func testSiteIsSelfContainedAndLeavesNoTemporaryFiles() throws {
        _ = try Harness.build("state", scratch: scratch)
        let site = scratch.appendingPathComponent("site")
        let files = try FileManager.default.contentsOfDirectory(atPath: site.path).sorted()
        XCTAssertEqual(files, ["01-state", "01-state.html", "index.html", "search.js"])
        let html = try page("01-state")
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no external resources")
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 2, "the search index beside the page, the page's own script")
        XCTAssertTrue(html.contains("<script src=\"search.js\"></script>"))
        XCTAssertTrue(html.contains("prefers-color-scheme: dark"))
        XCTAssertTrue(html.contains("swift run -c release fvbook run Tests/Fixtures/books/state/01-state.md"))
        XCTAssertTrue(html.contains("<a href=\"#state-flows-between-cells\"") || html.contains("id=\"state-flows-between-cells\""))
    }

    func testChartsFiguresCellLinksAndCrossReferences() throws {
        let report = try Harness.build("reading", scratch: scratch)
        XCTAssertEqual(report.summary, "2 passed, 0 failed", "\(report.failureLines)")
        let html = try page("01-first")
        XCTAssertTrue(html.contains("href=\"02-second.html#part\""), "a link to a chapter file points at its page")
        XCTAssertTrue(html.contains("<section class=\"cell passed\" id=\"cell-2\" data-chapter=\"Tests/Fixtures/books/reading/01-first.md\" data-cell=\"2\" data-lines=\"10-11\">"))

        // Charts are inlined SVG in the page's colours, with the cell that made them.
        let first = try result(report, "01-first.md")
        XCTAssertEqual(first.cells[1].images.map(\.file), ["cell-2-1.svg", "cell-2-2.svg"])
        XCTAssertEqual(html.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"").count - 1, 3)
        XCTAssertFalse(html.contains("<img src=\"01-first/cell-2-1.svg\""))
        let lines = try XCTUnwrap(html.range(of: "<polyline points=\""))
        let points = html[lines.upperBound...].prefix { $0 != "\"" }.split(separator: " ")
        XCTAssertEqual(points.count, 4, "one point per step")
        XCTAssertTrue(points.last?.hasPrefix("444,") == true, "the last step at the plot's right edge: \(points)")
        XCTAssertEqual(html.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: "<rect x=").count - 1, 2 + 2 + 4 + 1 + 6,
                       "two legends of two swatches and four bars, a legend of one and six lying bars")
        XCTAssertTrue(html.contains("style=\"stroke: var(--chart-2, "))
        XCTAssertTrue(html.contains("<figcaption>grouped bars <a class=\"source\" href=\"#cell-2\""))

        // Bars whose labels would not fit under them lie down, one row each: the canvas grows.
        let lying = try XCTUnwrap(first.cells[3].images.first)
        XCTAssertEqual(lying.width, 460)
        XCTAssertEqual(lying.height, 32 + 4 + 6 * 26 + 22 + 4, "the legend, one 26 px row per bar, the axis")
        XCTAssertTrue(html.contains("viewBox=\"0 0 460 \(lying.height)\""))
        XCTAssertTrue(html.contains("text-anchor=\"end\" fill-opacity=\".8\">a label too long to stand unde…</text>"), "a long label is cut to the label column")

        // An 8 px image is shown at 224 px (28 × 8), pixelated, linked to its full-size file.
        XCTAssertTrue(html.contains("<div class=\"figures c1\" style=\"--figure: 224px\">"))
        XCTAssertTrue(html.contains("<a class=\"zoom-link\" href=\"01-first/cell-3-3.png\""))
        XCTAssertTrue(html.contains("class=\"pixelated\""))

        // The index numbers chapters like their files and never repeats a thumbnail.
        let index = try String(contentsOf: scratch.appendingPathComponent("site/index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("<div class=\"number\">Chapter 1</div><div class=\"name\">First</div>"))
        XCTAssertTrue(index.contains("src=\"01-first/cell-3-3.png\""))
        XCTAssertTrue(index.contains("src=\"02-second/cell-1-1.png\""), "not chapter 1's red square again")

        let search = try String(contentsOf: scratch.appendingPathComponent("site/search.js"), encoding: .utf8)
        XCTAssertTrue(search.contains("\"u\":\"02-second.html#part\""))
        XCTAssertTrue(search.contains("the same red square as chapter 1"), "captions are searchable")
    }

    func testABrokenCrossReferenceFailsItsChapterAtItsLine() throws {
        let report = try Harness.build("broken-link", scratch: scratch)
        XCTAssertEqual(report.summary, "1 passed, 1 failed")
        let broken = try result(report, "01-broken.md")
        XCTAssertEqual(broken.failures.map(\.line), [7])
        XCTAssertTrue(broken.failures[0].message.contains("`05-missing.md` names no chapter"), broken.failures[0].message)
        XCTAssertTrue(report.failureLines[0].hasPrefix("\(Harness.path("broken-link", "01-broken.md")):7: "), report.failureLines[0])
        XCTAssertTrue(try page("01-broken").contains("names no chapter of this book"))
    }

    func testThumbnailFingerprintsTellPhotosApart() throws {
        let photos = try FileManager.default.contentsOfDirectory(atPath: Harness.root.appendingPathComponent("data/photos").path)
            .filter { $0.hasSuffix(".png") }.sorted()
        XCTAssertGreaterThanOrEqual(photos.count, 3)
        let prints = try photos.map { try XCTUnwrap(ImageFingerprint(path: Harness.root.appendingPathComponent("data/photos/\($0)").path), $0) }
        for (i, a) in prints.enumerated() {
            XCTAssertTrue(a.looksLike(a))
            for (j, b) in prints.enumerated() where j != i { XCTAssertFalse(a.looksLike(b), "\(photos[i]) ~ \(photos[j])") }
        }
        XCTAssertNil(ImageFingerprint(path: Harness.root.appendingPathComponent("README.md").path), "not a PNG")
    }

    private func bigEndian(_ data: Data, at offset: Int) -> UInt32 {
        data[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
