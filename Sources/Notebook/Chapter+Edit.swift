import Foundation

/// A cell's code replaced in its chapter's Markdown, every other byte kept.
///
/// The new code goes exactly where the cell's code lines are (between its fences), indented as
/// the fence is; the prose, the fences, the other cells and the line endings stay byte-for-byte.
/// `fvbook serve` writes a cell edited in the page this way.
///
/// ```swift
/// let text = try CellEdit.apply(to: markdown, chapter: chapter, cell: 2, base: oldCode, code: "print(1)\n")
/// try CellEdit.write(text, to: fileURL)   // atomic
/// ```
public enum CellEdit {
    /// The chapter's Markdown `source` with cell `index`'s code replaced by `code`.
    ///
    /// - Parameters:
    ///   - chapter: `source` parsed (its cells' lines locate the code).
    ///   - base: the code the editor started from; when the file's cell no longer holds it (the
    ///     file changed meanwhile), nothing is replaced.
    /// - Throws: ``CellEditError`` for an unknown cell, a changed file, or code that would end
    ///   the fence early (a line of three or more backticks or tildes).
    public static func apply(to source: String, chapter: Chapter, cell index: Int, base: String, code: String) throws -> String {
        guard let cell = chapter.cells.first(where: { $0.index == index }) else {
            throw CellEditError.noSuchCell(chapter.path, index, count: chapter.cells.count)
        }
        guard normalized(cell.code) == normalized(base) else { throw CellEditError.changedOnDisk(chapter.path, index) }
        let newLines = normalized(code).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let fence = newLines.firstIndex(where: { closesFence($0) }) {
            throw CellEditError.fenceInCode(chapter.path, line: fence + 1)
        }
        // Lines with their own terminators, so the file's endings survive untouched.
        var lines = splitKeepingTerminators(source)
        let oldCount = cell.code.isEmpty ? 0 : normalized(cell.code).split(separator: "\n", omittingEmptySubsequences: false).count
        let first = cell.firstLine - 1
        guard first >= 0, first + oldCount <= lines.count else { throw CellEditError.changedOnDisk(chapter.path, index) }
        let ending = lines.first(where: { $0.hasSuffix("\r\n") }) != nil ? "\r\n" : "\n"
        let indent = String(repeating: " ", count: cell.columnOffset)
        let replacement = normalized(code).isEmpty ? [] : newLines.map { ($0.isEmpty ? "" : indent + $0) + ending }
        lines.replaceSubrange(first..<(first + oldCount), with: replacement)
        return lines.joined()
    }

    /// Writes `text` to `url` atomically (a temporary file, then a rename).
    public static func write(_ text: String, to url: URL) throws { try AtomicFiles.write(text, to: url) }

    /// The code without its final newline and with `\r\n` as `\n` (a textarea's form).
    static func normalized(_ code: String) -> String {
        var text = code.replacingOccurrences(of: "\r\n", with: "\n")
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Whether `line` would close a ```` ``` ```` or `~~~` fence.
    static func closesFence(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " }
        return trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
    }

    private static func splitKeepingTerminators(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for character in text {   // "\r\n" is one Character
            current.append(character)
            if character == "\n" || character == "\r\n" { lines.append(current); current = "" }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

/// Why a cell edit was refused.
public enum CellEditError: Error, CustomStringConvertible, Equatable {
    case noSuchCell(String, Int, count: Int)
    case changedOnDisk(String, Int)
    case fenceInCode(String, line: Int)

    public var description: String {
        switch self {
        case let .noSuchCell(path, index, count):
            return "\(path) has no cell \(index) (it has \(count) cell\(count == 1 ? "" : "s"))"
        case let .changedOnDisk(path, index):
            return "cell \(index) of \(path) changed on disk since the page was loaded; reload the page"
        case let .fenceInCode(path, line):
            return "line \(line) of the new code for \(path) would close the cell's fence"
        }
    }
}
