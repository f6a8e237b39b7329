import ArgumentParser
import Foundation
import Notebook

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one chapter, then write its page and the index.",
        discussion: "Example: swift run -c release fvbook run chapters/02-multiscale.md")

    @Argument(help: ArgumentHelp("The chapter to run: its path (chapters/02-multiscale.md), file name or slug.", valueName: "chapter"))
    var chapter: String

    @OptionGroup var options: BookOptions

    func run() throws {
        let builder = try options.builder()
        let report = try builder.run(chapterNamed: chapter)
        guard let result = report.results.first else { return }
        print("\(result.passed ? "PASS" : "FAIL") \(result.path) — page written to \(options.shown(builder.settings.site))/\(result.slug).html")
        for line in report.failureLines { print("  \(line)") }
        if !result.passed { throw ExitCode(1) }
    }
}
