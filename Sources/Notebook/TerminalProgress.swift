import Foundation

/// Prints build progress to standard error: the chapter, each cell as it starts and ends, and
/// the time since the chapter started.
///
/// ```
/// [1/6] chapters/02-multiscale.md — Multi-scale
///   compiled in 1.21 s
///   [  1.3 s] cell 2 (line 31) …
///   [  9.8 s] cell 2 done in 8.52 s
///   ✓ passed in 10.4 s
/// ```
public final class TerminalProgress: @unchecked Sendable {
    private var chapterStart = Date()
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.write = write
    }

    public func handle(_ event: ProgressEvent) {
        let elapsed = String(format: "[%6.1f s]", Date().timeIntervalSince(chapterStart))
        switch event {
        case let .chapterStarted(chapter, position, count):
            chapterStart = Date()
            write("[\(position)/\(count)] \(chapter.path) — \(chapter.title)")
        case let .compiled(_, seconds, succeeded):
            write("  \(succeeded ? "compiled" : "compile failed") in \(String(format: "%.2f", seconds)) s")
        case let .cellStarted(_, cell, line):
            write("  \(elapsed) cell \(cell) (line \(line)) …")
        case let .cellFinished(_, cell, seconds):
            write("  \(elapsed) cell \(cell) done in \(String(format: "%.2f", seconds)) s")
        case .renderProgress:
            break   // for live views (serve); the terminal shows cells
        case let .checkingShouldFail(_, cell):
            write("  \(elapsed) cell \(cell) (should-fail) in a run of its own …")
        case let .waiting(message):
            write("fvbook: \(message)")
        case let .chapterFinished(result):
            let time = String(format: "%.1f", Date().timeIntervalSince(chapterStart))
            if result.passed {
                write(result.fromCache ? "  ✓ passed (cached)" : "  ✓ passed in \(time) s")
            } else {
                write("  ✗ \(result.allFailures.count) failure\(result.allFailures.count == 1 ? "" : "s")\(result.fromCache ? " (cached)" : " in \(time) s")")
                for failure in result.allFailures {
                    // Compiler errors come with their excerpt and caret, as swiftc prints them.
                    if failure.kind == .compile, !failure.details.isEmpty {
                        write(failure.details.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
                    } else {
                        write("    \(failure)")
                    }
                }
            }
        }
    }
}
