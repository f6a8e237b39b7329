import Foundation
import XCTest
@testable import Notebook

/// Every chapter of the real book, in quick mode, as a test: any failure (compile error, trap,
/// false check, time-out) fails it with the chapter's file, line and message.
///
/// Quick mode runs every check a chapter makes — no check is skipped with `quick ||` — so each
/// chapter's quick sizes (`scaled(full, quick: small)`) are chosen large enough for its claims to
/// hold there too; the full-size run (`fvbook build`) checks the same claims on the numbers the
/// pages print. The progress lines give each chapter's time.
final class BookChaptersTests: NotebookTestCase {
    func testEveryChapterPassesInQuickMode() throws {
        let settings = Harness.settings(chapters: Harness.root.appendingPathComponent("chapters"), scratch: scratch,
                                        quick: true, timeout: 900)
        let progress = TerminalProgress()
        let builder = BookBuilder(settings: settings, toolchain: try Harness.toolchain.get(), progress: progress.handle)
        let report = try builder.build()
        XCTAssertFalse(report.results.isEmpty)
        for line in report.failureLines { XCTFail(line) }
        print(report.summary)
    }
}
