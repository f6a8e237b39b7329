import BookProtocol
import Foundation

/// What the run pass hands back: per-cell results, chapter-level failures, timings, and the
/// image files to keep (source file → name in the chapter's image folder).
struct RunOutput {
    var cells: [CellResult]
    var failures: [Failure]
    var seconds: Double
    var startup: Double?
    var images: [(source: URL, name: String)]
}

/// Live progress of a build, for the terminal.
public enum ProgressEvent: Sendable {
    case chapterStarted(Chapter, position: Int, of: Int)
    case compiled(Chapter, seconds: Double, succeeded: Bool)
    case cellStarted(Chapter, cell: Int, line: Int)
    case cellFinished(Chapter, cell: Int, seconds: Double)
    /// A render in a cell took a step (the runtime reports a few a second).
    case renderProgress(Chapter, cell: Int, step: Int, steps: Int, objective: Float)
    case checkingShouldFail(Chapter, cell: Int)
    case chapterFinished(ChapterResult)
    /// Another build holds a folder this one writes; this one waits for it.
    case waiting(String)
}

/// The run pass: executes a compiled chapter program and attributes everything it did to cells.
///
/// The main run skips `should-fail` cells. A trap in cell k keeps cells 1…k−1's results, marks
/// cell k failed with the runtime message and its Markdown line, and later cells not run. Then each
/// compiled should-fail cell runs in its own process (`FVBOOK_FAIL_CELL=k`: the cells before it,
/// then it, then exit) and passes only if it traps.
enum ChapterRunner {
    static func run(_ chapter: Chapter, compiled: CompiledChapter, executable: URL, root: URL, work: URL,
                    settings: RunSettings, timeout: Double,
                    progress: @escaping (ProgressEvent) -> Void) -> RunOutput {
        let cellsByIndex = Dictionary(uniqueKeysWithValues: chapter.cells.map { ($0.index, $0) })
        func report(_ event: RunEvent) {
            guard let index = event.cell, let cell = cellsByIndex[index] else { return }
            switch event {
            case .begin: progress(.cellStarted(chapter, cell: index, line: cell.firstLine))
            case let .end(_, seconds): progress(.cellFinished(chapter, cell: index, seconds: seconds))
            case let .renderProgress(_, step, steps, objective):
                progress(.renderProgress(chapter, cell: index, step: step, steps: steps, objective: objective))
            default: break
            }
        }
        let main: ProcessRun
        do {
            main = try ProcessRun.launch(executable, root: root, folder: work.appendingPathComponent("run-main"),
                                         settings: settings, timeout: timeout, onEvent: report)
        } catch {
            return RunOutput(cells: notRunCells(chapter), failures: [
                Failure(kind: .runner, file: chapter.path, message: "cannot launch the chapter program: \(error)")],
                             seconds: 0, startup: nil, images: [])
        }

        var cells: [CellResult] = []
        var failures: [Failure] = []
        var images: [(URL, String)] = []
        var stopped: Int?   // the cell that ended the main run early
        for cell in chapter.cells {
            if !cell.attributes.runs {
                cells.append(CellResult(index: cell.index, status: .skipped, firstLine: cell.firstLine))
                continue
            }
            if let failure = compiled.expectedFailures[cell.index] {
                cells.append(CellResult(index: cell.index, status: .failedAsExpected, firstLine: cell.firstLine,
                                        expectedFailure: failure))
                continue
            }
            if cell.attributes.shouldFail {
                // Filled in below by its own run; a placeholder keeps the order.
                cells.append(CellResult(index: cell.index, status: .notRun, firstLine: cell.firstLine))
                continue
            }
            var result = collect(cell, from: main, chapter: chapter, images: &images)
            if main.began.contains(cell.index), !main.ended(cell.index) {
                result.status = .failed
                result.failure = stopFailure(cell, in: main, chapter: chapter, root: root, stderr: &result.stderr)
                stopped = stopped ?? cell.index
            } else if !main.began.contains(cell.index) {
                result.status = .notRun
            }
            cells.append(result)
        }
        if stopped == nil {
            switch main.exit {
            case .status(0) where main.events.contains(.finish): break
            case .timedOut(let seconds):
                failures.append(Failure(kind: .timeout, file: chapter.path,
                                        message: "timed out after \(format(seconds)) s outside any cell"))
            default:
                let before = main.began.isEmpty
                failures.append(Failure(kind: .trap, file: chapter.path,
                                        message: "the chapter program \(describe(main.exit)) \(before ? "before its first cell" : "after its last cell")",
                                        details: main.preOutput))
            }
        }

        for (position, cell) in chapter.cells.enumerated() where cell.attributes.shouldFail && compiled.cells.contains(cell.index) {
            if let stopped, stopped < cell.index { continue }   // an earlier cell failed: not run
            progress(.checkingShouldFail(chapter, cell: cell.index))
            guard let run = try? ProcessRun.launch(executable, root: root,
                                                   folder: work.appendingPathComponent("run-fail-\(cell.index)"),
                                                   settings: settings.failing(cell.index),
                                                   timeout: timeout, onEvent: { _ in }) else {
                cells[position].status = .failed
                cells[position].failure = Failure(kind: .runner, file: chapter.path, line: cell.firstLine,
                                                  message: "cannot launch the should-fail run", cell: cell.index)
                continue
            }
            var result = collect(cell, from: run, chapter: chapter, images: &images)
            if !run.began.contains(cell.index) {
                result.status = .failed
                result.failure = Failure(kind: .runner, file: chapter.path, line: cell.firstLine,
                                         message: "a cell before this should-fail cell failed in its run (\(describe(run.exit)))",
                                         cell: cell.index)
            } else if run.ended(cell.index) {
                result.status = .failed
                result.failure = Failure(kind: .unexpectedSuccess, file: chapter.path, line: cell.firstLine,
                                         message: "this should-fail cell compiled and ran without failing", cell: cell.index)
            } else if case .timedOut = run.exit {
                result.status = .failed
                result.failure = stopFailure(cell, in: run, chapter: chapter, root: root, stderr: &result.stderr)
            } else {
                result.status = .failedAsExpected
                result.expectedFailure = stopFailure(cell, in: run, chapter: chapter, root: root, stderr: &result.stderr)
            }
            cells[position] = result
        }
        return RunOutput(cells: cells, failures: failures, seconds: main.seconds, startup: main.startup, images: images)
    }

    static func notRunCells(_ chapter: Chapter) -> [CellResult] {
        chapter.cells.map { CellResult(index: $0.index, status: $0.attributes.runs ? .notRun : .skipped, firstLine: $0.firstLine) }
    }

    /// A cell's output, images and checks from one run, with status `.passed` or `.failed` (a false check).
    private static func collect(_ cell: Cell, from run: ProcessRun, chapter: Chapter,
                                images: inout [(URL, String)]) -> CellResult {
        var result = CellResult(index: cell.index, status: .passed, firstLine: cell.firstLine,
                                stdout: run.output(of: cell.index, .out), stderr: run.output(of: cell.index, .err))
        for event in run.events where event.cell == cell.index {
            switch event {
            case let .image(_, file, caption, width, height, group, columns):
                images.append((run.folder.appendingPathComponent(file), file))
                result.images.append(ImageOutput(file: file, caption: caption, width: width, height: height,
                                                 group: group, columns: columns))
            case let .check(_, passed, message, _, line):
                result.checks.append(CheckOutput(passed: passed, message: message, line: line))
            case let .end(_, seconds):
                result.seconds = seconds
            default: break
            }
        }
        if result.checks.contains(where: { !$0.passed }) { result.status = .failed }
        return result
    }

    /// Why the run stopped inside `cell`: timeout, or a trap with the runtime's message and the
    /// Markdown line (from the message, else the backtrace, else the cell). Removes the trap
    /// message and backtrace from the cell's displayed `stderr`.
    static func stopFailure(_ cell: Cell, in run: ProcessRun, chapter: Chapter, root: URL, stderr: inout String) -> Failure {
        if case .timedOut(let seconds) = run.exit {
            return Failure(kind: .timeout, file: chapter.path, line: cell.firstLine,
                           message: "timed out: the chapter's budget of \(format(seconds)) s ran out in this cell (set `timeout=SECONDS` on a cell to change it)",
                           cell: cell.index)
        }
        let trap = TrapReport(stderr: stderr, chapterPath: chapter.path, root: root.path)
        stderr = trap.remainingOutput
        var line = trap.line, column = trap.column
        if line == nil || !cell.lines.contains(line!) {
            // An error thrown at top level carries no line; the only `try` in the cell is the culprit.
            let tries = cell.code.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .filter { $0.element.contains("try ") }
            if trap.message.contains("Error raised at top level"), tries.count == 1 {
                line = cell.firstLine + tries[0].offset
            } else if line == nil {
                line = cell.firstLine
            }
            column = nil
        }
        let message = trap.message.isEmpty ? "the chapter program \(describe(run.exit)) in this cell" : trap.message
        return Failure(kind: .trap, file: chapter.path, line: line, column: column, message: message,
                       details: trap.backtrace, cell: cell.index)
    }

    static func describe(_ exit: ProgramExit) -> String {
        switch exit {
        case .status(let code): return "exited with status \(code)"
        case .signal(let signal): return "was killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        case .timedOut(let seconds): return "timed out after \(format(seconds)) s"
        }
    }
}

/// Seconds with up to two decimals, for messages.
func format(_ seconds: Double) -> String {
    seconds >= 10 || seconds == seconds.rounded() ? String(Int(seconds.rounded())) : String(format: "%.2f", seconds)
}
