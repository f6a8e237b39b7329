import Foundation

/// The static HTML site: an index page, one page per chapter and a search index, self-contained
/// (inline CSS and script, no external resources), working from `file://`.
///
/// The only place the book's Markdown becomes HTML (through ``MarkdownHTML``). Each chapter's
/// images are copied into a folder beside its page (`site/02-multiscale/…png`); charts (SVG) are
/// inlined so they take the page's colours. The image folder is swapped in whole, then the page is
/// written atomically, so an interrupted build leaves the old page or the new one, never half of
/// either.
///
/// Each cell's `<section>` carries `data-chapter` (the Markdown file), `data-cell` and
/// `data-lines` (the code's first–last line in that file), for tools that edit cells in the page.
///
/// ```swift
/// // Link `_blocks.8:3` mentions in prose to atlas pages that exist:
/// let renderer = HTMLRenderer(mentionLink: { text in atlas.page(for: text) })
/// ```
public struct HTMLRenderer: Renderer {
    /// Called with the text of each inline code span in prose; a non-nil result (a URL relative
    /// to the page) makes the span a link.
    public var mentionLink: (@Sendable (String) -> String?)?
    /// The atlas's index page relative to the site (`atlas/index.html`), linked from the sidebar
    /// and the index page; nil when the site has no atlas.
    public var atlasIndex: String?

    public init(mentionLink: (@Sendable (String) -> String?)? = nil, atlasIndex: String? = nil) {
        self.mentionLink = mentionLink
        self.atlasIndex = atlasIndex
    }

    public func render(_ book: Book, results: [String: ChapterResult], pages: [String], into site: URL) throws {
        try AtomicFiles.createFolder(site)
        for slug in pages {
            guard let position = book.chapters.firstIndex(where: { $0.slug == slug }) else { continue }
            let chapter = book.chapters[position]
            let result = results[slug]
            if let result, let source = result.imageFolder {
                try publishImages(of: result, from: source, to: site.appendingPathComponent(slug))
            }
            let html = page(for: position, in: book, results: results)
            try AtomicFiles.write(html, to: site.appendingPathComponent("\(chapter.slug).html"))
        }
        try AtomicFiles.write(SearchIndex(book: book, results: results).script, to: site.appendingPathComponent(SearchIndex.file))
        try AtomicFiles.write(index(book, results: results, site: site), to: site.appendingPathComponent("index.html"))
    }

    func markdown(for book: Book) -> MarkdownHTML {
        MarkdownHTML(slugs: Set(book.chapters.map(\.slug)), mentionLink: mentionLink)
    }

    /// Copies the result's images into a fresh folder, then swaps it in for `target`.
    private func publishImages(of result: ChapterResult, from source: URL, to target: URL) throws {
        let files = result.cells.flatMap(\.images).map(\.file)
        try Interruption.critical {
            let staging = try AtomicFiles.temporaryFolder(beside: target)
            do {
                for file in files {
                    try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: staging.appendingPathComponent(file))
                }
                try AtomicFiles.replace(target, with: staging)
            } catch let error as NotebookError {
                try? FileManager.default.removeItem(at: staging)
                throw error
            } catch {
                try? FileManager.default.removeItem(at: staging)
                throw NotebookError.cannotWrite(target.path, AtomicFiles.reason(error))
            }
        }
    }

    // MARK: - Chapter page

    func page(for position: Int, in book: Book, results: [String: ChapterResult]) -> String {
        let chapter = book.chapters[position]
        let result = results[chapter.slug]
        let markdown = self.markdown(for: book)
        var body = ""
        var metaWritten = false
        let top = meta(chapter, result) + chapterFailures(chapter, result)
        for block in chapter.blocks {
            switch block {
            case let .prose(prose):
                body += "<div class=\"prose\">\n\(markdown.html(prose.markdown))</div>\n"
            case let .heading(heading):
                let inner = markdown.headingHTML(heading.markdown)
                if heading.level == 1 && !metaWritten {
                    if let label = chapter.label { body += "<p class=\"eyebrow\">\(label)</p>\n" }
                    body += "<h1 id=\"\(heading.id)\">\(inner)</h1>\n" + top
                    metaWritten = true
                } else {
                    body += "<h\(heading.level) id=\"\(heading.id)\">\(inner)<a class=\"anchor\" href=\"#\(heading.id)\" aria-label=\"link to this section\">#</a></h\(heading.level)>\n"
                }
            case let .cell(cell):
                if !metaWritten {
                    body = top + body
                    metaWritten = true
                }
                body += render(cell, chapter: chapter, result: result?.cell(cell.index), images: result?.imageFolder)
            }
        }
        if !metaWritten { body = top + body }

        let command = "swift run -c release fvbook run \(chapter.path)\(result?.quick == true ? " --quick" : "")"
        body += "<p class=\"rerun\">Re-run this chapter: <code>\(escapeHTML(command))</code></p>\n"
        body += pager(position, in: book)
        let title = [chapter.label.map { "\($0) · " } ?? "", chapter.title, " — ", book.title].joined()
        return document(title: title,
                        body: "<div class=\"layout\">\n\(sidebar(book, current: position, results: results))<main>\n\(topbar(book))<article class=\"page\">\n\(body)</article>\n</main>\n</div>",
                        links: links(position, in: book))
    }

    private func meta(_ chapter: Chapter, _ result: ChapterResult?) -> String {
        var parts: [String] = []
        if let result {
            let failures = result.allFailures.count
            parts.append(failures == 0 ? "<span class=\"badge ok\">✓ all cells passed</span>"
                                       : "<span class=\"badge bad\">✗ \(failures) failure\(failures == 1 ? "" : "s")</span>")
            if result.quick { parts.append("<span class=\"badge quick\">quick mode</span>") }
            let count = chapter.cells.count
            parts.append("\(count) cell\(count == 1 ? "" : "s")")
            if result.runSeconds > 0 { parts.append("ran in \(seconds(result.runSeconds))") }
            if result.compileSeconds > 0 { parts.append("compiled in \(seconds(result.compileSeconds))") }
        } else {
            parts.append("<span class=\"badge none\">not run yet</span>")
        }
        return "<div class=\"meta\">\(parts.map { "<span>\($0)</span>" }.joined())</div>\n"
    }

    /// Failures that belong to no cell, plus parse issues, in a box at the top.
    private func chapterFailures(_ chapter: Chapter, _ result: ChapterResult?) -> String {
        let failures = result?.failures ?? chapter.issues
        guard !failures.isEmpty else { return "" }
        var html = "<div class=\"box failure chapter-failures\" role=\"alert\"><div class=\"title\">This chapter could not run completely</div><ul>\n"
        for failure in failures {
            html += "<li><span class=\"where\">\(escapeHTML(failure.location))</span> — \(escapeHTML(failure.message))"
            if !failure.details.isEmpty {
                html += "<details><summary>details</summary><pre>\(escapeHTML(failure.details))</pre></details>"
            }
            html += "</li>\n"
        }
        return html + "</ul></div>\n"
    }

    func document(title: String, body: String, bodyClass: String? = nil, links: String = "") -> String {
        htmlPage(title: title, links: links, css: Style.css, bodyClass: bodyClass, body: """
            \(body)
            <script src="\(SearchIndex.file)"></script>
            <script>
            \(Script.js)
            </script>
            """)
    }

    func seconds(_ value: Double) -> String {
        value < 0.01 ? "<0.01 s" : value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }
}

extension Chapter {
    /// "Chapter 3" for `03-….md`; nil for a file without a number.
    var label: String? { number.map { "Chapter \($0)" } }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var copy = self
        while copy.hasSuffix("\n") { copy.removeLast() }
        return copy
    }
}
