import Foundation

/// A chapter's cells as one Swift program.
public struct ChapterProgram: Sendable, Equatable {
    /// The program text (`main.swift`).
    public var source: String
    /// The cells it contains, in order.
    public var cells: [Int]
}

/// The generate pass: one program per chapter, its cells in order as top-level code so state
/// flows from cell to cell as in a notebook.
///
/// Each cell is preceded by `#sourceLocation(file: "chapters/NAME.md", line: N)` for its first
/// code line, so compiler diagnostics, `precondition` messages and backtraces name Markdown lines,
/// and bracketed by `_cellBegin(k)` / `_cellEnd(k)` (BookRuntime), which attribute output, images
/// and checks to the cell. A `should-fail` cell sits inside `if _shouldFailRuns(k) { … }`: normal
/// runs skip it (its declarations stay local, as no later cell may rely on a cell that must fail)
/// and the runner checks it in a run of its own.
///
/// ```swift
/// let program = ProgramGenerator.program(for: chapter)
/// try program.source.write(to: work.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
/// ```
public enum ProgramGenerator {
    /// The modules every chapter program imports.
    public static let imports = ["Foundation", "FeatureVis", "Models", "Tensors", "BookRuntime"]

    /// The program for `chapter`'s runnable cells, leaving out `no-run` cells and `excluded`.
    public static func program(for chapter: Chapter, excluding excluded: Set<Int> = []) -> ChapterProgram {
        var lines = imports.map { "import \($0)" }
        lines.append("_bookStart()")
        var included: [Int] = []
        let file = chapter.path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        for cell in chapter.cells where cell.attributes.runs && !excluded.contains(cell.index) {
            included.append(cell.index)
            var code = cell.code
            if !code.isEmpty && !code.hasSuffix("\n") { code += "\n" }
            let body = "#sourceLocation(file: \"\(file)\", line: \(cell.firstLine))\n\(code)#sourceLocation()"
            if cell.attributes.shouldFail {
                lines.append("if _shouldFailRuns(\(cell.index)) {\n_cellBegin(\(cell.index))\n\(body)\n_cellEnd(\(cell.index))\n}")
            } else {
                lines.append("_cellBegin(\(cell.index))\n\(body)\n_cellEnd(\(cell.index))")
            }
        }
        lines.append("_bookEnd()")
        return ChapterProgram(source: lines.joined(separator: "\n") + "\n", cells: included)
    }
}
