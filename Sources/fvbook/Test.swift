import ArgumentParser
import Foundation
import Notebook

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every chapter as a test: print each chapter's result and `N passed, N failed`.",
        discussion: "Exits with status 1 if any chapter fails (a compile error, a trap, a false check, a time-out, a should-fail cell that did not fail).")

    @OptionGroup var options: BookOptions

    func run() throws {
        let report = try options.builder().build()
        for result in report.results {
            let cells = result.cells.count
            let time = result.fromCache ? "cached" : String(format: "%.1f s", result.runSeconds + result.compileSeconds)
            print("\(result.passed ? "PASS" : "FAIL") \(result.path) (\(cells) cell\(cells == 1 ? "" : "s"), \(time))")
            for failure in result.allFailures { print("  \(failure)") }
        }
        print(report.summary)
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
