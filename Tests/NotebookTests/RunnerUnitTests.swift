import BookProtocol
import Foundation
import XCTest
@testable import Notebook

/// Pieces of the compile and run passes on captured text (no compiler needed).
final class RunnerUnitTests: XCTestCase {
    func testDiagnosticsParseWithExcerptsAndNotes() {
        let output = """
        chapters/a.md:11:20: error: cannot find 'undefinedName' in scope
        let total = fine + undefinedName
                           ^~~~~~~~~~~~~
        chapters/a.md:12:5: warning: variable 'x' was never mutated
        chapters/a.md:14:1: error: missing argument
        chapters/a.md:3:6: note: 'f' declared here
        error: fatalError
        """
        let diagnostics = ChapterCompiler.parseDiagnostics(output)
        XCTAssertEqual(diagnostics.map(\.severity), [.error, .warning, .error])
        XCTAssertEqual(diagnostics[0].line, 11)
        XCTAssertEqual(diagnostics[0].column, 20)
        XCTAssertEqual(diagnostics[0].message, "cannot find 'undefinedName' in scope")
        XCTAssertTrue(diagnostics[0].text.contains("^~~~"))
        XCTAssertTrue(diagnostics[2].text.contains("'f' declared here"))
    }

    func testTrapReportFromAMessage() {
        let stderr = """
        some output
        Chapter/x.md:12: Precondition failed: odd number 3

        *** Signal 4: Backtracing from 0x7f00... done ***

        *** Program crashed: Illegal instruction at 0x00007f00 ***

        Thread 0 "chapter" crashed:

          0      0x00007f00 _assertionFailure(_:_:file:line:flags:) + 200 in libswiftCore.so
          1 [ra] 0x00007f01 main + 300 in chapter at chapters/x.md:20:7

        Backtrace took 0.02s
        """
        let report = TrapReport(stderr: stderr, chapterPath: "chapters/x.md")
        XCTAssertEqual(report.message, "Precondition failed: odd number 3")
        XCTAssertEqual(report.line, 12, "the message's #fileID location wins over the backtrace")
        XCTAssertEqual(report.remainingOutput, "some output\n")
        XCTAssertEqual(report.backtrace.split(separator: "\n").count, 2)
        XCTAssertFalse(report.backtrace.contains("0x00007f"))
    }

    func testTrapReportFromTheBacktraceAlone() {
        let stderr = """
        *** Signal 4: Backtracing from 0x7fe1... done ***

        *** Program crashed: Illegal instruction at 0x00007fe1 ***

        Thread 0 "chapter" crashed:

          0 [inlined] [system] 0x00007fe1 Swift runtime failure: precondition failure in libFVBookKit.so at //<compiler-generated>
          1 0x00007fe2 specialized Tensor.init(shape:scalars:) + 89 in libFVBookKit.so at /repo/Sources/Tensors/Tensor.swift:19:9
          2 [ra] 0x00007fe3 main + 3667 in chapter at chapters/00-hello.md:47:14
        """
        let report = TrapReport(stderr: stderr, chapterPath: "chapters/00-hello.md", root: "/repo")
        XCTAssertEqual(report.message,
                       "Swift runtime failure: precondition failure in Tensor.init(shape:scalars:) (Sources/Tensors/Tensor.swift:19)")
        XCTAssertEqual(report.line, 47)
        XCTAssertEqual(report.column, 14)
        let segfault = TrapReport(stderr: "*** Program crashed: Segmentation fault at 0x0000000000000000 ***\n", chapterPath: "c.md")
        XCTAssertEqual(segfault.message, "crashed: Segmentation fault")
        XCTAssertNil(segfault.line)
    }

    func testEveryEventSurvivesItsLineAndTornLinesAreIgnored() throws {
        let events: [RunEvent] = [
            .start(pid: 42, quick: true), .begin(cell: 1, time: 1.5),
            .image(cell: 1, file: "cell-1-1.png", caption: "a \"quoted\"\ncaption", width: 4, height: 2, group: 1, columns: 2),
            .image(cell: 1, file: "cell-1-2.png", caption: "", width: 1, height: 1, group: nil, columns: nil),
            .check(cell: 1, passed: false, message: "ratio > 1", file: "chapters/01-basic.md", line: 130),
            .renderProgress(cell: 1, step: 7, steps: 512, objective: 0.1 + 0.2),
            .end(cell: 1, seconds: 0.25), .finish,
        ]
        var data = Data()
        for event in events {
            let line = try event.jsonLine()
            XCTAssertEqual(line.filter { $0 == 0x0A }.count, 1, "one line per event: \(event)")
            data.append(line)
        }
        XCTAssertEqual(RunEvent.decode(lines: data), events)
        // A writer killed mid-line leaves a torn last line: everything before it still decodes.
        let torn = data + (try RunEvent.check(cell: 2, passed: true, message: "m", file: "f", line: 1).jsonLine()).prefix(12)
        XCTAssertEqual(RunEvent.decode(lines: torn), events)
        XCTAssertEqual(events.map(\.cell), [nil, 1, 1, 1, 1, 1, 1, nil])
    }

    func testRunSettingsRoundTripThroughTheEnvironment() {
        let settings = RunSettings(folder: "/tmp/run", quick: true, failCell: 3)
        XCTAssertEqual(RunSettings(environment: settings.environment), settings)
        // The render store's variable is always set (empty: off), so the runner's own cannot leak in.
        XCTAssertEqual(settings.environment, ["FVBOOK_RUN_DIR": "/tmp/run", "FVBOOK_QUICK": "1", "FVBOOK_FAIL_CELL": "3",
                                              "FVBOOK_RENDER_CACHE": ""])
        let memoized = RunSettings(quick: false, renderCache: "/tmp/renders", renderCacheLimit: 1 << 20)
        XCTAssertEqual(RunSettings(environment: memoized.environment), memoized)
        XCTAssertEqual(memoized.failing(2).renderCache, "/tmp/renders")
        XCTAssertEqual(RunSettings(environment: ["FVBOOK_RUN_DIR": "", "FVBOOK_QUICK": "0"]), RunSettings())
        XCTAssertEqual(RunFolder.output(cell: 4, .err), "cell-4.err")
        XCTAssertEqual(RunFolder.figure(cell: 4, number: 2), "cell-4-2.png")
        XCTAssertEqual(RunFolder.figure(cell: 4, number: 3, extension: "svg"), "cell-4-3.svg")
    }

    func testHighlighterEscapesAndMarksTokens() {
        let html = SwiftHighlighter.html("let s = \"a < b // no\" // real <comment>\nx &= 0x1F")
        XCTAssertEqual(html, "<span class=\"kw\">let</span> s = <span class=\"str\">&quot;a &lt; b // no&quot;</span> "
                           + "<span class=\"com\">// real &lt;comment&gt;</span>\nx &amp;= <span class=\"num\">0x1F</span>")
        XCTAssertEqual(SwiftHighlighter.html("@discardableResult func f() -> Tensor"),
                       "<span class=\"attr\">@discardableResult</span> <span class=\"kw\">func</span> f() -&gt; <span class=\"typ\">Tensor</span>")
    }

    func testFailureDescriptionHasTheCompilerShape() {
        let failure = Failure(kind: .compile, file: "chapters/x.md", line: 3, column: 7, message: "boom")
        XCTAssertEqual(failure.description, "chapters/x.md:3:7: error: boom")
        XCTAssertEqual(Failure(kind: .check, file: "c.md", line: 9, message: "m").description, "c.md:9: check failed: m")
    }
}
