import Foundation
internal import CCmark

/// The parse pass: Markdown files → ``Book``, through libcmark's syntax tree.
///
/// Top-level fenced code blocks whose info string's first word is `swift` become cells; the
/// words after it are attributes (`hidden`, `no-run`, `should-fail`, `timeout=SECONDS`).
/// Headings get anchor ids for the table of contents. Everything else stays Markdown, cut into
/// ``Prose`` runs by line: HTML is made only by the renderer.
///
/// ```swift
/// let book = try BookParser.parse(folder: root.appendingPathComponent("chapters"), root: root)
/// print(book.chapters.map(\.title))
/// ```
public enum BookParser {
    /// cmark options: smart punctuation; raw HTML is kept (the book's authors are trusted).
    static let options = CMARK_OPT_SMART | CMARK_OPT_UNSAFE

    /// Parses every `*.md` in `folder` except `index.md` (the introduction), ordered by file name.
    ///
    /// - Parameters:
    ///   - folder: the chapters folder.
    ///   - root: the project root; chapter paths are relative to it.
    /// - Throws: ``NotebookError/noChapters(_:)`` if the folder has no chapters or cannot be read.
    public static func parse(folder: URL, root: URL) throws -> Book {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw NotebookError.noChapters(folder.path)
        }
        let files = names.filter { $0.hasSuffix(".md") && $0 != "index.md" && !$0.hasPrefix(".") }.sorted()
        guard !files.isEmpty else { throw NotebookError.noChapters(folder.path) }
        var chapters: [Chapter] = []
        for file in files {
            let url = folder.appendingPathComponent(file)
            let path = relativePath(of: url, to: root)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw NotebookError.unreadable(path)
            }
            chapters.append(parseChapter(String(decoding: data, as: UTF8.self), path: path))
        }
        var title = "Book", introduction = ""
        if let data = FileManager.default.contents(atPath: folder.appendingPathComponent("index.md").path) {
            let index = parseChapter(String(decoding: data, as: UTF8.self), path: "index.md")
            introduction = index.content
            if case let .heading(heading)? = index.blocks.first {
                title = heading.text
                let lines = index.content.split(separator: "\n", omittingEmptySubsequences: false)
                let end = heading.line + heading.markdown.split(separator: "\n").count - 1
                introduction = lines.dropFirst(end).joined(separator: "\n")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if !introduction.isEmpty { introduction += "\n" }
            }
        }
        return Book(title: title, introduction: introduction, chapters: chapters)
    }

    /// Parses one chapter's Markdown. Never throws: problems become ``Chapter/issues``.
    ///
    /// - Parameters:
    ///   - markdown: the chapter text.
    ///   - path: the chapter's path relative to the project root (used in diagnostics).
    public static func parseChapter(_ markdown: String, path: String) -> Chapter {
        let text = markdown.replacingOccurrences(of: "\r\n", with: "\n")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let slug = String((path as NSString).lastPathComponent.dropLast(path.hasSuffix(".md") ? 3 : 0))
        /// The source of lines `first…last` (1-based, clamped to the file).
        func source(_ first: Int, _ last: Int) -> String {
            let lower = max(first, 1), upper = min(max(last, lower), lines.count)
            guard lower <= upper else { return "" }
            return lines[(lower - 1)..<upper].joined(separator: "\n") + "\n"
        }

        let document = text.withCString { cmark_parse_document($0, strlen($0), options)! }
        defer { cmark_node_free(document) }

        var blocks: [Block] = []
        var issues: [Failure] = []
        var usedIDs: [String: Int] = [:]
        var cellCount = 0
        var node = cmark_node_first_child(document)
        while let current = node {
            node = cmark_node_next(current)
            let first = Int(cmark_node_get_start_line(current)), last = Int(cmark_node_get_end_line(current))
            switch cmark_node_get_type(current) {
            case CMARK_NODE_HEADING:
                let plain = plainText(of: current)
                var id = slugify(plain)
                if let seen = usedIDs[id] { usedIDs[id] = seen + 1; id += "-\(seen + 1)" } else { usedIDs[id] = 1 }
                blocks.append(.heading(Heading(level: Int(cmark_node_get_heading_level(current)), text: plain,
                                               id: id, markdown: source(first, last), line: first)))
            case CMARK_NODE_CODE_BLOCK where swiftWords(of: current) != nil:
                let words = swiftWords(of: current)!
                cellCount += 1
                var attributes = CellAttributes()
                switch CellAttributes.parse(words) {
                case let .success(parsed): attributes = parsed
                case let .failure(error):
                    issues.append(Failure(kind: .parse, file: path, line: first, message: error.message, cell: cellCount))
                }
                if let problem = unclosedFence(current, lines: lines) {
                    issues.append(Failure(kind: .parse, file: path, line: first, message: problem, cell: cellCount))
                }
                let code = cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
                blocks.append(.cell(Cell(index: cellCount, firstLine: first + 1,
                                         columnOffset: Int(cmark_node_get_start_column(current)) - 1,
                                         code: code, attributes: attributes)))
            default:
                if let nested = firstNestedSwiftFence(in: current) {
                    issues.append(Failure(kind: .parse, file: path, line: nested, message:
                        "a ```swift cell must be a top-level block, not inside a list or quote"))
                }
                if cmark_node_get_type(current) == CMARK_NODE_CODE_BLOCK, let problem = unclosedFence(current, lines: lines) {
                    issues.append(Failure(kind: .parse, file: path, line: first, message: problem))
                }
                if case let .prose(previous)? = blocks.last {
                    let lines = previous.lines.lowerBound...max(last, previous.lines.upperBound)
                    blocks[blocks.count - 1] = .prose(Prose(markdown: source(lines.lowerBound, lines.upperBound), lines: lines))
                } else {
                    blocks.append(.prose(Prose(markdown: source(first, last), lines: first...max(last, first))))
                }
            }
        }
        if cellCount == 0 && path != "index.md" {
            issues.append(Failure(kind: .parse, file: path, line: 1, message: "the chapter has no ```swift cells"))
        }
        let title = blocks.lazy.compactMap { if case let .heading(h) = $0 { return h.text } else { return nil } }.first ?? slug
        return Chapter(path: path, slug: slug, title: title, content: text, blocks: blocks, issues: issues)
    }

    // MARK: - Syntax-tree helpers

    /// The attribute words of a ```` ```swift ```` block, or nil for any other code block.
    private static func swiftWords(of node: OpaquePointer) -> [Substring]? {
        guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK,
              let info = cmark_node_get_fence_info(node).map({ String(cString: $0) }) else { return nil }
        let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
        guard words.first == "swift" else { return nil }
        return Array(words.dropFirst())
    }

    /// A message if `node` is a fenced block whose closing fence is missing (cmark then runs it to
    /// the end of the document or container, which is valid CommonMark but never what an author means).
    private static func unclosedFence(_ node: OpaquePointer, lines: [String]) -> String? {
        let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
        guard start >= 1, start <= lines.count else { return nil }
        let opening = lines[start - 1].drop(while: { $0 == " " || $0 == ">" })
        guard let fence = opening.first, fence == "`" || fence == "~" else { return nil }   // indented block
        let length = opening.prefix(while: { $0 == fence }).count
        if end > start, end <= lines.count {
            let closing = lines[end - 1].drop(while: { $0 == " " || $0 == ">" })
            let run = closing.prefix(while: { $0 == fence }).count
            if run >= length && closing.dropFirst(run).allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
        }
        return "unclosed code fence opened at line \(start) (no closing \(String(repeating: fence, count: length)))"
    }

    /// The start line of a ```` ```swift ```` block nested inside `node`, if any.
    private static func firstNestedSwiftFence(in node: OpaquePointer) -> Int? {
        let iterator = cmark_iter_new(node)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let current = cmark_iter_get_node(iterator)!
            if current != node, swiftWords(of: current) != nil { return Int(cmark_node_get_start_line(current)) }
        }
        return nil
    }

    /// The concatenated text of a node's inline descendants (for titles and anchors).
    static func plainText(of node: OpaquePointer) -> String {
        var text = ""
        let iterator = cmark_iter_new(node)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let current = cmark_iter_get_node(iterator)!
            switch cmark_node_get_type(current) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                if let literal = cmark_node_get_literal(current) { text += String(cString: literal) }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += " "
            default: break
            }
        }
        return text
    }

    /// A GitHub-style anchor: lower case, letters and digits kept, spaces to hyphens.
    static func slugify(_ text: String) -> String {
        var slug = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber { slug.append(character) }
            else if character == " " || character == "-" || character == "_" { slug.append("-") }
        }
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        slug = slug.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return slug.isEmpty ? "section" : slug
    }

    static func relativePath(of url: URL, to root: URL) -> String {
        let file = url.standardizedFileURL.path, base = root.standardizedFileURL.path
        if file.hasPrefix(base + "/") { return String(file.dropFirst(base.count + 1)) }
        return file
    }
}
