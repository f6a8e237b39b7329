import Foundation

/// The sidebar, the top bar with search, previous/next, and the index page.
extension HTMLRenderer {
    func sidebar(_ book: Book, current: Int?, results: [String: ChapterResult]) -> String {
        var html = "<nav class=\"sidebar\" aria-label=\"chapters\">\n<a class=\"book-title\" href=\"index.html\">\(escapeHTML(book.title))</a>\n<ol>\n"
        for (position, chapter) in book.chapters.enumerated() {
            let mark = results[chapter.slug].map { $0.passed ? "" : "<span class=\"mark bad\" title=\"failing\">✗</span>" } ?? ""
            let number = chapter.number.map { "<span class=\"num\">\($0)</span>" } ?? ""
            let name = "\(mark)\(number)\(escapeHTML(chapter.title))"
            if position == current {
                html += "<li class=\"current\"><a href=\"\(chapter.slug).html\" aria-current=\"page\">\(name)</a>"
                let headings = chapter.headings.filter { $0.level == 2 || $0.level == 3 }
                if !headings.isEmpty {
                    html += "\n<ol class=\"toc\">\n" + headings.map {
                        "<li class=\"level-\($0.level)\"><a href=\"#\($0.id)\">\(escapeHTML($0.text))</a></li>\n"
                    }.joined() + "</ol>"
                }
                html += "</li>\n"
            } else {
                html += "<li><a href=\"\(chapter.slug).html\">\(name)</a></li>\n"
            }
        }
        html += "</ol>\n"
        if let atlasIndex { html += "<a class=\"atlas-link\" href=\"\(escapeHTML(atlasIndex))\">Atlas of channels</a>\n" }
        return html + "</nav>\n"
    }

    /// The home link (narrow screens) and the search box; results come from `search.js`.
    func topbar(_ book: Book, home: Bool = true) -> String {
        var html = "<header class=\"topbar\">"
        if home { html += "<a class=\"home\" href=\"index.html\">← \(escapeHTML(book.title))</a>" }
        html += "<div class=\"search\" role=\"search\"><input id=\"search\" type=\"search\" placeholder=\"Search the book  /\" aria-label=\"Search the book\" autocomplete=\"off\" spellcheck=\"false\">"
        html += "<div id=\"search-results\" class=\"search-results\" hidden></div></div></header>\n"
        return html
    }

    /// `<link rel=prev/next>` for the keyboard (← →): the index comes before the first chapter.
    func links(_ position: Int, in book: Book) -> String {
        var html = "<link rel=\"prev\" href=\"\(position > 0 ? book.chapters[position - 1].slug : "index").html\">\n"
        if position + 1 < book.chapters.count { html += "<link rel=\"next\" href=\"\(book.chapters[position + 1].slug).html\">\n" }
        return html
    }

    func pager(_ position: Int, in book: Book) -> String {
        func name(_ chapter: Chapter) -> String { (chapter.number.map { "\($0) · " } ?? "") + escapeHTML(chapter.title) }
        var html = "<nav class=\"pager\" aria-label=\"previous and next chapter\">"
        if position > 0 {
            let previous = book.chapters[position - 1]
            html += "<a class=\"previous\" href=\"\(previous.slug).html\" rel=\"prev\"><span class=\"label\">← Previous <kbd>←</kbd></span>\(name(previous))</a>"
        }
        if position + 1 < book.chapters.count {
            let next = book.chapters[position + 1]
            html += "<a class=\"next\" href=\"\(next.slug).html\" rel=\"next\"><span class=\"label\"><kbd>→</kbd> Next →</span>\(name(next))</a>"
        }
        return html + "</nav>\n"
    }

    // MARK: - Index page

    func index(_ book: Book, results: [String: ChapterResult], site: URL) -> String {
        var body = topbar(book, home: false) + "<div class=\"page\">\n<h1>\(escapeHTML(book.title))</h1>\n"
        if !book.introduction.isEmpty { body += "<div class=\"intro prose\">\n\(markdown(for: book).html(book.introduction))</div>\n" }
        body += "<ol class=\"cards\">\n"
        let thumbnails = self.thumbnails(book, results: results, site: site)
        for (position, chapter) in book.chapters.enumerated() {
            let result = results[chapter.slug]
            body += "<li><a href=\"\(chapter.slug).html\">"
            if let thumbnail = thumbnails[chapter.slug] {
                let pixelated = thumbnail.width <= 64 ? " pixelated" : ""
                body += "<img class=\"thumb\(pixelated)\" src=\"\(escapeHTML(chapter.slug))/\(escapeHTML(thumbnail.file))\" alt=\"\" width=\"96\" height=\"96\">"
            } else {
                body += "<span class=\"thumb empty\" aria-hidden=\"true\">\(chapter.number ?? position + 1)</span>"
            }
            var facts: [String] = []
            if let result {
                let failures = result.allFailures.count
                facts.append(failures == 0 ? "<span class=\"badge ok\">✓ passed</span>" : "<span class=\"badge bad\">✗ \(failures) failure\(failures == 1 ? "" : "s")</span>")
                let images = result.cells.reduce(0) { $0 + $1.images.count }
                if images > 0 { facts.append("\(images) figure\(images == 1 ? "" : "s")") }
                if result.runSeconds > 0 { facts.append("ran in \(seconds(result.runSeconds))") }
            }
            body += "<div><div class=\"number\">\(chapter.label ?? "")</div><div class=\"name\">\(escapeHTML(chapter.title))</div>"
            if !facts.isEmpty { body += "<div class=\"facts\">\(facts.joined(separator: " · "))</div>" }
            body += "</div></a></li>\n"
        }
        body += "</ol>\n"
        if let atlasIndex {
            body += "<p class=\"atlas-entry\"><a href=\"\(escapeHTML(atlasIndex))\">The atlas</a>: every channel of several blocks, "
                + "each with its visualization, its numbers and the photo patches that excite it most.</p>\n"
        }
        body += "<p class=\"footer\">Every figure in this book is produced by the Swift code on its page. Rebuild with <code>make site</code>.</p>\n</div>"
        let next = book.chapters.first.map { "<link rel=\"next\" href=\"\($0.slug).html\">\n" } ?? ""
        return document(title: book.title, body: "<main class=\"index\">\n\(body)\n</main>", bodyClass: "index", links: next)
    }

    /// One picture per chapter for the index: its last image (chapters end with their best
    /// figure) that looks like no earlier chapter's thumbnail (``ImageFingerprint``), else its
    /// last image.
    private func thumbnails(_ book: Book, results: [String: ChapterResult], site: URL) -> [String: (file: String, width: Int)] {
        var chosen: [String: (file: String, width: Int)] = [:]
        var used: [ImageFingerprint] = []
        for chapter in book.chapters {
            let published = site.appendingPathComponent(chapter.slug)
            var candidates: [(file: String, width: Int)]
            if let result = results[chapter.slug] {
                candidates = result.cells.flatMap(\.images).filter { !$0.isChart }.map { ($0.file, $0.width) }
            } else {
                candidates = publishedImages(published).map { ($0, 100) }
            }
            candidates.reverse()
            let folders = [published] + (results[chapter.slug]?.imageFolder.map { [$0] } ?? [])
            func fingerprint(_ file: String) -> ImageFingerprint? {
                folders.lazy.compactMap { ImageFingerprint(path: $0.appendingPathComponent(file).path) }.first
            }
            let pick = candidates.lazy.map { ($0, fingerprint($0.file)) }
                .first { _, print in print.map { print in !used.contains { $0.looksLike(print) } } ?? false }
            if let (candidate, print) = pick {
                chosen[chapter.slug] = candidate
                if let print { used.append(print) }
            } else if let last = candidates.first {
                chosen[chapter.slug] = last
            }
        }
        return chosen
    }

    /// The images already published for a chapter with no known result, in `cell-K-N.png` order.
    private func publishedImages(_ folder: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        func order(_ name: String) -> [Int] { name.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } }
        return files.filter { $0.hasPrefix("cell-") && $0.hasSuffix(".png") }
            .sorted { order($0).lexicographicallyPrecedes(order($1)) }
    }
}
