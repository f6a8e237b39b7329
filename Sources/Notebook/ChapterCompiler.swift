import Foundation

/// A compiler diagnostic, as `swiftc -diagnostic-style llvm` prints it.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable { case error, warning, note, remark }
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// The header line and the excerpt/caret lines under it.
    public var text: String
}

/// The outcome of the compile pass for one chapter.
public struct CompiledChapter: Sendable {
    /// The chapter program, if it compiled.
    public var executable: URL?
    /// The cells in the program (runnable cells minus should-fail cells that failed to compile).
    public var cells: [Int]
    /// `should-fail` cells that failed to compile, as they must, with their first error.
    public var expectedFailures: [Int: Failure]
    /// Compile errors: in a cell (`cell` set) or elsewhere (linker, scaffolding).
    public var failures: [Failure]
    /// Seconds spent in `swiftc`, all attempts.
    public var seconds: Double
}

/// The compile pass: `swiftc` builds the chapter program against the FVBookKit library.
///
/// A `should-fail` cell that does not compile cannot share the program with the other cells, so:
/// compile everything; if errors fall in should-fail cells, note them as expected failures, leave
/// those cells out and compile again; stop when it compiles or when the only errors left are in
/// ordinary cells (a real failure). Each round removes at least one cell, so this ends, and a
/// should-fail cell cannot hide an error in an ordinary one: its code is scoped (see
/// ``ProgramGenerator``), so leaving it out changes nothing for the others.
public enum ChapterCompiler {
    public static func compile(_ chapter: Chapter, toolchain: Toolchain, work: URL) -> CompiledChapter {
        var excluded: [Int: Failure] = [:]
        var seconds = 0.0
        while true {
            let program = ProgramGenerator.program(for: chapter, excluding: Set(excluded.keys))
            let source = work.appendingPathComponent("main.swift")
            let executable = work.appendingPathComponent("chapter")
            do {
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                try program.source.write(to: source, atomically: true, encoding: .utf8)
            } catch {
                return CompiledChapter(executable: nil, cells: [], expectedFailures: excluded, failures: [
                    Failure(kind: .runner, file: chapter.path, message: "cannot write \(source.path): \(error)")], seconds: seconds)
            }
            let started = Date()
            let (status, output) = runCompiler(toolchain, arguments: toolchain.arguments(source: source, output: executable))
            seconds += Date().timeIntervalSince(started)
            if status == 0 {
                return CompiledChapter(executable: executable, cells: program.cells, expectedFailures: excluded,
                                       failures: [], seconds: seconds)
            }
            let errors = parseDiagnostics(output).filter { $0.severity == .error }
            var byCell: [Int: [Diagnostic]] = [:]
            var stray: [Diagnostic] = []
            for error in errors {
                if let cell = cell(of: error, in: chapter, among: program.cells) { byCell[cell.index, default: []].append(error) }
                else { stray.append(error) }
            }
            let failingShouldFail = byCell.keys.filter { index in chapter.cells.first { $0.index == index }!.attributes.shouldFail }
            if !failingShouldFail.isEmpty {
                for index in failingShouldFail {
                    excluded[index] = failure(for: byCell[index]!, in: chapter, cell: index)
                }
                continue
            }
            var failures = byCell.keys.sorted().map { failure(for: byCell[$0]!, in: chapter, cell: $0) }
            if !stray.isEmpty, let primary = primary(stray) {
                // The error's own location when it has one (another file, `<unknown>:0`), then its text.
                let place = primary.file.isEmpty || primary.file == "<unknown>" ? ""
                    : "\((primary.file as NSString).lastPathComponent)\(primary.line > 0 ? ":\(primary.line)" : ""): "
                failures.append(Failure(kind: .compile, file: chapter.path, message: place + primary.message,
                                        details: stray.map(\.text).joined(separator: "\n")))
            } else if failures.isEmpty {
                // No parsable diagnostic (a linker or driver failure): show what the compiler said.
                let firstLine = output.split(separator: "\n").first { $0.contains("error") }.map(String.init)
                failures.append(Failure(kind: .compile, file: chapter.path,
                                        message: firstLine ?? "swiftc exited with status \(status)", details: output))
            }
            return CompiledChapter(executable: nil, cells: program.cells, expectedFailures: excluded,
                                   failures: failures, seconds: seconds)
        }
    }

    /// The cell whose Markdown lines hold the diagnostic.
    static func cell(of diagnostic: Diagnostic, in chapter: Chapter, among included: [Int]) -> Cell? {
        guard diagnostic.file == chapter.path else { return nil }
        return chapter.cells.first { included.contains($0.index) && $0.lines.contains(diagnostic.line) }
    }

    /// One failure for a cell's errors: the first error's position and message, every error's text.
    private static func failure(for errors: [Diagnostic], in chapter: Chapter, cell: Int) -> Failure {
        let offset = chapter.cells.first { $0.index == cell }?.columnOffset ?? 0
        let first = errors[0]
        return Failure(kind: .compile, file: chapter.path, line: first.line, column: first.column + offset,
                       message: first.message, details: errors.map(\.text).joined(separator: "\n"), cell: cell)
    }

    /// Splits compiler output into diagnostics: a `file:line:col: severity: message` header and
    /// the excerpt lines that follow it.
    ///
    /// Diagnostics without a full location are kept too, with line and column 0: the frontend's
    /// `<unknown>:0: error: unknown argument: '-x'` (file `<unknown>`), a tool's
    /// `/usr/bin/ld.gold: error: cannot find -lX` (file: the tool) and the driver's bare
    /// `error: emit-module command failed …` (file empty). Such a line directly under a located
    /// header is that header's source excerpt, not a diagnostic.
    public static func parseDiagnostics(_ output: String) -> [Diagnostic] {
        let located = try! Regex(#"^(.+?):(\d+):(\d+): (error|warning|note|remark): (.*)$"#)
        let lineOnly = try! Regex(#"^(.+?):(\d+): (error|warning|note|remark): (.*)$"#)
        let bare = try! Regex(#"^(?:([^\s:]+): )?(error|warning|note|remark): (.*)$"#)
        var diagnostics: [Diagnostic] = []
        var previousWasLocatedHeader = false
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            var parsed: Diagnostic?
            if let match = try? located.wholeMatch(in: line),
               let file = match[1].substring, let lineText = match[2].substring, let columnText = match[3].substring,
               let severityText = match[4].substring, let message = match[5].substring,
               let severity = Diagnostic.Severity(rawValue: String(severityText)) {
                parsed = Diagnostic(file: String(file), line: Int(lineText) ?? 0, column: Int(columnText) ?? 0,
                                    severity: severity, message: String(message), text: String(line))
            } else if let match = try? lineOnly.wholeMatch(in: line),
                      let file = match[1].substring, let lineText = match[2].substring,
                      let severityText = match[3].substring, let message = match[4].substring,
                      let severity = Diagnostic.Severity(rawValue: String(severityText)) {
                parsed = Diagnostic(file: String(file), line: Int(lineText) ?? 0, column: 0,
                                    severity: severity, message: String(message), text: String(line))
            } else if !previousWasLocatedHeader, let match = try? bare.wholeMatch(in: line),
                      let severityText = match[2].substring, let message = match[3].substring,
                      let severity = Diagnostic.Severity(rawValue: String(severityText)) {
                parsed = Diagnostic(file: match[1].substring.map(String.init) ?? "", line: 0, column: 0,
                                    severity: severity, message: String(message), text: String(line))
            }
            if let parsed {
                diagnostics.append(parsed)
                previousWasLocatedHeader = parsed.line > 0
            } else {
                if !diagnostics.isEmpty, !line.isEmpty { diagnostics[diagnostics.count - 1].text += "\n" + line }
                previousWasLocatedHeader = false
            }
        }
        // Notes belong to the diagnostic before them.
        var merged: [Diagnostic] = []
        for diagnostic in diagnostics {
            if diagnostic.severity == .note, !merged.isEmpty { merged[merged.count - 1].text += "\n" + diagnostic.text }
            else { merged.append(diagnostic) }
        }
        return merged
    }

    /// The most telling of errors outside any cell: the first that is not the driver's summary
    /// that a sub-command failed (`emit-module command failed with exit code 1`), which says
    /// nothing about the cause.
    static func primary(_ errors: [Diagnostic]) -> Diagnostic? {
        errors.first { !$0.message.contains("command failed") } ?? errors.first
    }

    /// Runs `swiftc` in the project root (so `#sourceLocation` paths resolve) and returns its
    /// exit status and combined output.
    static func runCompiler(_ toolchain: Toolchain, arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = toolchain.swiftc
        process.arguments = arguments
        process.currentDirectoryURL = toolchain.root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "cannot run \(toolchain.swiftc.path): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
