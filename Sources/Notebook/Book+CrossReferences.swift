import Foundation
internal import CCmark

extension Book {
    /// The cross-reference pass: links between chapters are written to the chapter *files* and
    /// checked here, so they cannot drift from the book.
    ///
    /// A link to `NAME.md` (no scheme) must name a chapter of this book, and its `#anchor`, if
    /// any, a heading or cell (`#cell-3`) of that chapter; a bare `#anchor` must exist in the
    /// linking chapter. A link whose text says "chapter N" must go to the chapter numbered N.
    /// Each problem becomes an issue of the linking chapter at the link's line, so the chapter
    /// fails (and names the line) instead of sending a reader to the wrong page. The renderer
    /// points the checked links at the pages.
    ///
    /// ```swift
    /// // chapters/01-basic.md: "… as [chapter 4](04-understanding.md#robustness) explains"
    /// let book = try BookParser.parse(folder: chapters, root: root).checkingCrossReferences()
    /// ```
    public func checkingCrossReferences() -> Book {
        let bySlug = Dictionary(chapters.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        var checked = self
        for position in chapters.indices {
            let chapter = chapters[position]
            for link in chapter.links {
                if let problem = problem(with: link, in: chapter, chapters: bySlug) {
                    checked.chapters[position].issues.append(Failure(kind: .parse, file: chapter.path, line: link.line,
                                                                     message: problem))
                }
            }
        }
        return checked
    }

    private func problem(with link: Chapter.Link, in chapter: Chapter, chapters: [String: Chapter]) -> String? {
        let available = self.chapters.map { "\($0.slug).md" }.joined(separator: ", ")
        let target: Chapter
        if link.file.isEmpty {
            target = chapter
        } else {
            guard let found = chapters[String(link.file.dropLast(3))] else {
                return "the link to `\(link.url)` names no chapter of this book (chapters: \(available))"
            }
            target = found
        }
        if let anchor = link.anchor, !target.anchors.contains(anchor) {
            let known = target.headings.map(\.id).joined(separator: ", ")
            return "the link to `\(link.url)`: \(target.path) has no anchor `#\(anchor)` (headings: \(known); cells: #cell-1 … #cell-\(target.cells.count))"
        }
        if let said = link.saysChapter, said != target.number {
            return "the link text \"\(link.text)\" says chapter \(said) but `\(link.url)` is chapter \(target.number.map(String.init) ?? "without a number")"
        }
        return nil
    }
}

extension Chapter {
    /// A link in the chapter's prose to a Markdown file or an anchor.
    struct Link {
        var url: String
        var text: String
        /// The chapter's line the link is on.
        var line: Int
        /// The target file name (`04-understanding.md`), or empty for an anchor on this page.
        var file: String
        var anchor: String?
        /// N when the link text is "chapter N" (any case).
        var saysChapter: Int?
    }

    /// The ids a link can point at: headings and cells.
    var anchors: Set<String> {
        Set(headings.map(\.id)).union(cells.map { "cell-\($0.index)" })
    }

    /// The links to `.md` files and `#anchors` in the chapter's prose, in order.
    var links: [Link] {
        blocks.flatMap { block -> [Link] in
            guard case let .prose(prose) = block else { return [] }
            return Chapter.links(in: prose.markdown, firstLine: prose.lines.lowerBound)
        }
    }

    static func links(in markdown: String, firstLine: Int) -> [Link] {
        let document = markdown.withCString { cmark_parse_document($0, strlen($0), BookParser.options)! }
        defer { cmark_node_free(document) }
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        var links: [Link] = []
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let node = cmark_iter_get_node(iterator)!
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, cmark_node_get_type(node) == CMARK_NODE_LINK,
                  let url = cmark_node_get_url(node).map({ String(cString: $0) }),
                  let target = LocalLink(url) else { continue }
            let text = BookParser.plainText(of: node)
            // The link's own line: its parent block's start plus the soft breaks before it.
            var line = Int(cmark_node_get_start_line(node))
            if line == 0, let parent = cmark_node_parent(node) { line = Int(cmark_node_get_start_line(parent)) }
            links.append(Link(url: url, text: text, line: firstLine + max(line, 1) - 1, file: target.file,
                              anchor: target.anchor, saysChapter: saysChapter(text)))
        }
        return links
    }

    /// N in "chapter N" / "Chapter N" / "chapters N" at the start of a link's text.
    private static func saysChapter(_ text: String) -> Int? {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\u{a0}" })
        guard words.count >= 2, words[0] == "chapter" || words[0] == "chapters" else { return nil }
        return Int(words[1].prefix { $0.isNumber })
    }
}

/// A link inside the book: `NAME.md`, `NAME.md#anchor` or `#anchor` (nil for anything else:
/// URLs with a scheme, other files).
struct LocalLink {
    var file: String
    var anchor: String?

    init?(_ url: String) {
        guard !url.contains(":") else { return nil }   // a scheme: http:, mailto:, file:
        let parts = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let name = (path as NSString).lastPathComponent
        anchor = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
        if path.isEmpty {
            guard anchor != nil else { return nil }
            file = ""
        } else {
            guard name.hasSuffix(".md"), name != "index.md" else { return nil }
            file = name
        }
    }
}
