import Foundation

/// The static HTML site: an index page and one page per chapter, self-contained (inline CSS,
/// no scripts, no external resources), working from `file://`.
///
/// Each chapter's images are copied into a folder beside its page (`site/02-multiscale/…png`).
/// The image folder is swapped in whole, then the page is written atomically, so an
/// interrupted build leaves the old page or the new one, never half of either.
public struct HTMLRenderer: Renderer {
    public init() {}

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
        try AtomicFiles.write(index(book, results: results, site: site), to: site.appendingPathComponent("index.html"))
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
        var body = ""
        var metaWritten = false
        for block in chapter.blocks {
            switch block {
            case let .prose(html):
                body += "<div class=\"prose\">\n\(html)</div>\n"
            case let .heading(heading):
                if heading.level == 1 && !metaWritten {
                    body += "<h1 id=\"\(heading.id)\">\(heading.html)</h1>\n"
                    body += meta(chapter, result) + chapterFailures(chapter, result)
                    metaWritten = true
                } else {
                    body += "<h\(heading.level) id=\"\(heading.id)\">\(heading.html)<a class=\"anchor\" href=\"#\(heading.id)\" aria-label=\"link to this section\">#</a></h\(heading.level)>\n"
                }
            case let .cell(cell):
                if !metaWritten {
                    body = meta(chapter, result) + chapterFailures(chapter, result) + body
                    metaWritten = true
                }
                body += render(cell, chapter: chapter, result: result?.cell(cell.index))
            }
        }
        if !metaWritten { body = meta(chapter, result) + chapterFailures(chapter, result) + body }

        let command = "swift run -c release fvbook run \(chapter.path)\(result?.quick == true ? " --quick" : "")"
        body += "<p class=\"rerun\">Re-run this chapter: <code>\(escapeHTML(command))</code></p>\n"
        body += pager(position, in: book)
        return document(title: "\(chapter.title) — \(book.title)",
                        body: "<div class=\"layout\">\n\(sidebar(book, current: position, results: results))<main>\n<a class=\"home\" href=\"index.html\">← \(escapeHTML(book.title))</a>\n<article class=\"page\">\n\(body)</article>\n</main>\n</div>")
    }

    private func meta(_ chapter: Chapter, _ result: ChapterResult?) -> String {
        var parts: [String] = []
        if let result {
            let failures = result.allFailures.count
            parts.append(failures == 0 ? "<span class=\"badge ok\">✓ all cells passed</span>"
                                       : "<span class=\"badge bad\">✗ \(failures) failure\(failures == 1 ? "" : "s")</span>")
            if result.quick { parts.append("<span class=\"badge quick\">quick mode</span>") }
            let shown = chapter.cells.filter { !$0.attributes.hidden }.count
            parts.append("\(shown) cell\(shown == 1 ? "" : "s")")
            if result.runSeconds > 0 { parts.append("ran in \(seconds(result.runSeconds))") }
            if result.compileSeconds > 0 { parts.append("compiled in \(seconds(result.compileSeconds))") }
        } else {
            parts.append("<span class=\"badge none\">not run yet</span>")
        }
        return "<div class=\"meta\">\(parts.joined(separator: " <span aria-hidden=\"true\">·</span> "))</div>\n"
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

    private func render(_ cell: Cell, chapter: Chapter, result: CellResult?) -> String {
        let status = result?.status ?? (cell.attributes.runs ? .notRun : .skipped)
        let failed = status == .failed
        if cell.attributes.hidden && !failed {
            // Hidden cells show what they produce (figures, output), never their code.
            let outputs = self.outputs(of: result, chapter: chapter)
            return outputs.isEmpty ? "" : "<section class=\"cell hidden\" id=\"cell-\(cell.index)\">\n\(outputs)</section>\n"
        }
        let classes: String
        switch status {
        case .passed: classes = "passed"
        case .failed: classes = "failed"
        case .failedAsExpected: classes = "expected"
        case .notRun: classes = "not-run"
        case .skipped: classes = "skipped"
        }
        var head: [String] = []
        if cell.attributes.noRun { head.append("<span class=\"tag\">not run</span>") }
        else if cell.attributes.shouldFail { head.append("<span class=\"tag warn\">must fail</span>") }
        else if cell.attributes.hidden { head.append("<span class=\"tag\">hidden cell</span>") }
        else if status == .notRun && result != nil { head.append("<span class=\"tag\">not run</span>") }
        if let seconds = result?.seconds { head.append("<span>\(self.seconds(seconds))</span>") }
        head.append("<a href=\"#cell-\(cell.index)\" title=\"\(escapeHTML(chapter.path)):\(cell.firstLine)\">[\(cell.index)]</a>")
        // Where the code sits in the Markdown, for `fvbook serve`'s editor.
        let lines = cell.code.isEmpty ? "\(cell.firstLine)-\(cell.firstLine - 1)" : "\(cell.lines.lowerBound)-\(cell.lines.upperBound)"
        var html = "<section class=\"cell \(classes)\" id=\"cell-\(cell.index)\" data-chapter=\"\(escapeHTML(chapter.path))\" data-cell=\"\(cell.index)\" data-lines=\"\(lines)\">\n"
        html += "<div class=\"cell-head\">\(head.joined(separator: " "))</div>\n"
        let code = cell.code.hasSuffix("\n") ? String(cell.code.dropLast()) : cell.code
        if cell.attributes.hidden {
            html += "<details><summary>code of the hidden cell</summary><pre class=\"code\"><code>\(SwiftHighlighter.html(code))</code></pre></details>\n"
        } else {
            html += "<pre class=\"code\"><code>\(SwiftHighlighter.html(code))</code></pre>\n"
        }
        html += outputs(of: result, chapter: chapter)
        return html + "</section>\n"
    }

    private func outputs(of result: CellResult?, chapter: Chapter) -> String {
        guard let result else { return "" }
        var html = ""
        let stdout = clipped(result.stdout.trimmingTrailingNewlines()), stderr = clipped(result.stderr.trimmingTrailingNewlines())
        if !stdout.isEmpty { html += "<pre class=\"output\">\(escapeHTML(stdout))</pre>\n" }
        if !stderr.isEmpty { html += "<pre class=\"stderr\" title=\"standard error\">\(escapeHTML(stderr))</pre>\n" }
        html += figures(result.images, folder: chapter.slug)
        if !result.checks.isEmpty {
            html += "<ul class=\"checks\">\n"
            for check in result.checks {
                html += "<li class=\"\(check.passed ? "pass" : "fail")\">\(escapeHTML(check.message.isEmpty ? "check" : check.message))"
                html += "<span class=\"where\">\(escapeHTML(chapter.path)):\(check.line)</span></li>\n"
            }
            html += "</ul>\n"
        }
        if let failure = result.failure { html += box(failure, expected: false) }
        if let expected = result.expectedFailure { html += box(expected, expected: true) }
        return html.isEmpty ? "" : "<div class=\"outputs\">\n\(html)</div>\n"
    }

    /// Very long output keeps its first 300 and last 50 lines: a page stays readable when a loop prints.
    private func clipped(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 400 else { return text }
        return (lines.prefix(300) + ["… \(lines.count - 350) more lines …"] + lines.suffix(50)).joined(separator: "\n")
    }

    private func box(_ failure: Failure, expected: Bool) -> String {
        let title: String
        if expected {
            title = failure.kind == .compile ? "Failed to compile, as it must" : "Trapped, as it must"
        } else {
            switch failure.kind {
            case .compile: title = "Compile error"
            case .trap: title = "Runtime failure"
            case .timeout: title = "Timed out"
            case .check: title = "Check failed"
            case .unexpectedSuccess: title = "Should have failed"
            case .parse: title = "Markdown problem"
            case .runner: title = "Runner problem"
            }
        }
        var html = "<div class=\"box \(expected ? "expected" : "failure")\"\(expected ? "" : " role=\"alert\"")>"
        html += "<span class=\"title\">\(title)</span> <span class=\"where\">\(escapeHTML(failure.location))</span>"
        html += "<p class=\"message\">\(escapeHTML(failure.message))</p>"
        if !failure.details.isEmpty {
            html += "<details><summary>\(failure.kind == .compile ? "compiler output" : "backtrace")</summary><pre>\(escapeHTML(failure.details))</pre></details>"
        }
        return html + "</div>\n"
    }

    /// Images in a flowing row; those from one `show(grid:)` call in a grid of their own.
    private func figures(_ images: [ImageOutput], folder: String) -> String {
        var html = ""
        var index = 0
        while index < images.count {
            let group = images[index].group
            var end = index + 1
            while end < images.count, images[end].group == group { end += 1 }
            let run = images[index..<end]
            if group != nil {
                let columns = max(1, min(run.first?.columns ?? 4, run.count))
                html += "<div class=\"figures grid\" style=\"--columns: \(columns)\">\n"
                html += run.map { figure($0, folder: folder, width: nil, maxWidth: displayWidth($0)) }.joined()
                html += "</div>\n"
            } else {
                html += "<div class=\"figures\">\n" + run.map { figure($0, folder: folder, width: displayWidth($0), maxWidth: nil) }.joined()
                    + "</div>\n"
            }
            index = end
        }
        return html
    }

    /// Small images are shown enlarged (pixelated when tiny) so they are visible at all:
    /// at least 224 px wide, by a whole factor (a 128 px image at 256 px).
    private func displayWidth(_ image: ImageOutput) -> Int {
        guard image.width < 224, image.width > 0 else { return image.width }
        return image.width * ((224 + image.width - 1) / image.width)
    }

    private func figure(_ image: ImageOutput, folder: String, width: Int?, maxWidth: Int?) -> String {
        var style = ""
        if let width { style = " style=\"width: \(width)px\"" }
        else if let maxWidth { style = " style=\"max-width: \(maxWidth)px\"" }
        // Enlarged by a whole factor, pixels stay crisp; so do tiny images in grids.
        let pixelated = image.width <= 64 || (width ?? 0) > image.width ? " class=\"pixelated\"" : ""
        var html = "<figure\(style)><img src=\"\(escapeHTML(folder))/\(escapeHTML(image.file))\" width=\"\(image.width)\" height=\"\(image.height)\"\(pixelated) alt=\"\(escapeHTML(image.caption))\" loading=\"lazy\">"
        if !image.caption.isEmpty { html += "<figcaption>\(escapeHTML(image.caption))</figcaption>" }
        return html + "</figure>\n"
    }

    private func sidebar(_ book: Book, current: Int?, results: [String: ChapterResult]) -> String {
        var html = "<nav class=\"sidebar\" aria-label=\"chapters\">\n<a class=\"book-title\" href=\"index.html\">\(escapeHTML(book.title))</a>\n<ol>\n"
        for (position, chapter) in book.chapters.enumerated() {
            let mark = results[chapter.slug].map { $0.passed ? "" : "<span class=\"mark bad\" title=\"failing\">✗</span>" } ?? ""
            if position == current {
                html += "<li class=\"current\"><a href=\"\(chapter.slug).html\" aria-current=\"page\">\(mark)\(escapeHTML(chapter.title))</a>"
                let headings = chapter.headings.filter { $0.level == 2 || $0.level == 3 }
                if !headings.isEmpty {
                    html += "\n<ol class=\"toc\">\n" + headings.map {
                        "<li class=\"level-\($0.level)\"><a href=\"#\($0.id)\">\(escapeHTML($0.text))</a></li>\n"
                    }.joined() + "</ol>"
                }
                html += "</li>\n"
            } else {
                html += "<li><a href=\"\(chapter.slug).html\">\(mark)\(escapeHTML(chapter.title))</a></li>\n"
            }
        }
        return html + "</ol>\n</nav>\n"
    }

    private func pager(_ position: Int, in book: Book) -> String {
        var html = "<nav class=\"pager\" aria-label=\"previous and next chapter\">"
        if position > 0 {
            let previous = book.chapters[position - 1]
            html += "<a class=\"previous\" href=\"\(previous.slug).html\" rel=\"prev\"><span class=\"label\">← Previous</span>\(escapeHTML(previous.title))</a>"
        }
        if position + 1 < book.chapters.count {
            let next = book.chapters[position + 1]
            html += "<a class=\"next\" href=\"\(next.slug).html\" rel=\"next\"><span class=\"label\">Next →</span>\(escapeHTML(next.title))</a>"
        }
        return html + "</nav>\n"
    }

    // MARK: - Index page

    func index(_ book: Book, results: [String: ChapterResult], site: URL) -> String {
        var body = "<h1>\(escapeHTML(book.title))</h1>\n"
        if !book.introductionHTML.isEmpty { body += "<div class=\"intro prose\">\n\(book.introductionHTML)</div>\n" }
        body += "<ol class=\"cards\">\n"
        for (position, chapter) in book.chapters.enumerated() {
            let result = results[chapter.slug]
            var thumbnail = result?.thumbnailImage?.file
            if result == nil { thumbnail = existingThumbnail(site.appendingPathComponent(chapter.slug)) }
            body += "<li><a href=\"\(chapter.slug).html\">"
            if let thumbnail {
                let pixelated = (result?.thumbnailImage?.width ?? 100) <= 64 ? " pixelated" : ""
                body += "<img class=\"thumb\(pixelated)\" src=\"\(escapeHTML(chapter.slug))/\(escapeHTML(thumbnail))\" alt=\"\" width=\"96\" height=\"96\">"
            } else {
                body += "<span class=\"thumb empty\" aria-hidden=\"true\">\(position + 1)</span>"
            }
            var facts: [String] = []
            if let result {
                let failures = result.allFailures.count
                facts.append(failures == 0 ? "<span class=\"badge ok\">✓ passed</span>" : "<span class=\"badge bad\">✗ \(failures) failure\(failures == 1 ? "" : "s")</span>")
                let images = result.cells.reduce(0) { $0 + $1.images.count }
                if images > 0 { facts.append("\(images) image\(images == 1 ? "" : "s")") }
                if result.runSeconds > 0 { facts.append("ran in \(seconds(result.runSeconds))") }
            }
            body += "<div><div class=\"number\">Chapter \(position + 1)</div><div class=\"name\">\(escapeHTML(chapter.title))</div>"
            if !facts.isEmpty { body += "<div class=\"facts\">\(facts.joined(separator: " · "))</div>" }
            body += "</div></a></li>\n"
        }
        body += "</ol>\n<p class=\"footer\">Every figure in this book is produced by the Swift code on its page. Rebuild with <code>make site</code>.</p>\n"
        return document(title: book.title, body: "<main class=\"index\">\n<div class=\"page\">\n\(body)</div>\n</main>", bodyClass: "index")
    }

    /// The last image already published for a chapter with no known result (`cell-K-N.png` order).
    private func existingThumbnail(_ folder: URL) -> String? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        func order(_ name: String) -> [Int] { name.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } }
        return files.filter { $0.hasPrefix("cell-") && $0.hasSuffix(".png") }
            .max { order($0).lexicographicallyPrecedes(order($1)) }
    }

    private func document(title: String, body: String, bodyClass: String? = nil) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title))</title>
        <style>
        \(Style.css)
        </style>
        </head>
        <body\(bodyClass.map { " class=\"\($0)\"" } ?? "")>
        \(body)
        </body>
        </html>

        """
    }

    private func seconds(_ value: Double) -> String {
        value < 0.01 ? "<0.01 s" : value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var copy = self
        while copy.hasSuffix("\n") { copy.removeLast() }
        return copy
    }
}
