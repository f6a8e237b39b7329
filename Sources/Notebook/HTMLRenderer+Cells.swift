import Foundation

/// Cells, their outputs and figures.
extension HTMLRenderer {
    /// Display widths never go below this many CSS pixels: small images are enlarged by a whole
    /// factor (a 128 px image shows at 256 px) with crisp pixels.
    static let minimumFigureWidth = 224

    func render(_ cell: Cell, chapter: Chapter, result: CellResult?, images: URL?) -> String {
        let status = result?.status ?? (cell.attributes.runs ? .notRun : .skipped)
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
        else if status == .notRun && result != nil { head.append("<span class=\"tag\">not run</span>") }
        if let seconds = result?.seconds { head.append("<span>\(self.seconds(seconds))</span>") }
        let lines = cell.lines
        let code = cell.code.hasSuffix("\n") ? String(cell.code.dropLast()) : cell.code
        let pre = "<pre class=\"code\"><code>\(SwiftHighlighter.html(code))</code></pre>\n"
        var html = "<section class=\"cell \(classes)\(cell.attributes.hidden ? " setup" : "")\" id=\"cell-\(cell.index)\" data-chapter=\"\(escapeHTML(chapter.path))\" data-cell=\"\(cell.index)\" data-lines=\"\(lines.lowerBound)-\(lines.upperBound)\">\n"
        if cell.attributes.hidden {
            // Set-up code: at its place and numbered like every cell, folded away until asked for.
            let count = code.isEmpty ? 0 : code.split(separator: "\n", omittingEmptySubsequences: false).count
            head.insert("<span class=\"tag\">setup code</span><span class=\"lines\">\(count) line\(count == 1 ? "" : "s")</span>", at: 0)
            head.append("<span class=\"number\">[\(cell.index)]</span>")
            html += "<details\(status == .failed ? " open" : "")><summary class=\"cell-head\">\(head.joined(separator: " "))</summary>\n\(pre)</details>\n"
        } else {
            head.append("<a class=\"number\" href=\"#cell-\(cell.index)\" title=\"\(escapeHTML(chapter.path)):\(cell.firstLine)\">[\(cell.index)]</a>")
            html += "<div class=\"cell-head\">\(head.joined(separator: " "))</div>\n" + pre
        }
        html += outputs(of: result, chapter: chapter, images: images)
        return html + "</section>\n"
    }

    private func outputs(of result: CellResult?, chapter: Chapter, images: URL?) -> String {
        guard let result else { return "" }
        var html = ""
        let stdout = clipped(result.stdout.trimmingTrailingNewlines()), stderr = clipped(result.stderr.trimmingTrailingNewlines())
        if !stdout.isEmpty { html += "<pre class=\"output\">\(escapeHTML(stdout))</pre>\n" }
        if !stderr.isEmpty { html += "<pre class=\"stderr\" title=\"standard error\">\(escapeHTML(stderr))</pre>\n" }
        html += figures(result.images, chapter: chapter, cell: result.index, source: images)
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
        let title = !expected ? failure.kind.wording.title
            : failure.kind == .compile ? "Failed to compile, as it must" : "Trapped, as it must"
        var html = "<div class=\"box \(expected ? "expected" : "failure")\"\(expected ? "" : " role=\"alert\"")>"
        html += "<span class=\"title\">\(title)</span> <span class=\"where\">\(escapeHTML(failure.location))</span>"
        html += "<p class=\"message\">\(escapeHTML(failure.message))</p>"
        if !failure.details.isEmpty {
            html += "<details><summary>\(failure.kind == .compile ? "compiler output" : "backtrace")</summary><pre>\(escapeHTML(failure.details))</pre></details>"
        }
        return html + "</div>\n"
    }

    // MARK: - Figures

    /// A cell's figures in rows: the images of one `show(grid:)` call in a grid of their own,
    /// other consecutive images side by side, each chart alone. A row has at most four columns,
    /// balanced (five images are 3 + 2, not 4 + 1); the stylesheet folds it to fewer columns when
    /// the page is too narrow for figures of ``minimumFigureWidth``.
    func figures(_ images: [ImageOutput], chapter: Chapter, cell: Int, source: URL?) -> String {
        var html = ""
        var index = 0
        while index < images.count {
            let first = images[index]
            var end = index + 1
            if !first.isChart {
                while end < images.count, !images[end].isChart, images[end].group == first.group { end += 1 }
            }
            let run = images[index..<end]
            if first.isChart {
                // Drawn small (text stays legible on a phone), shown larger where there is room.
                html += "<div class=\"figures c1\" style=\"--figure: \(first.width * 5 / 4)px\">\n\(chart(first, chapter: chapter, cell: cell, source: source))</div>\n"
            } else {
                let wanted = max(1, min(first.group == nil ? run.count : first.columns ?? 4, run.count, 4))
                let rows = (run.count + wanted - 1) / wanted
                let columns = (run.count + rows - 1) / rows
                let width = run.map(displayWidth).max() ?? Self.minimumFigureWidth
                html += "<div class=\"figures c\(columns)\" style=\"--figure: \(width)px\">\n"
                html += run.map { figure($0, chapter: chapter, cell: cell) }.joined()
                html += "</div>\n"
            }
            index = end
        }
        return html
    }

    /// At least ``minimumFigureWidth`` px, by a whole factor.
    private func displayWidth(_ image: ImageOutput) -> Int {
        guard image.width < Self.minimumFigureWidth, image.width > 0 else { return max(image.width, Self.minimumFigureWidth) }
        return image.width * ((Self.minimumFigureWidth + image.width - 1) / image.width)
    }

    private func figure(_ image: ImageOutput, chapter: Chapter, cell: Int) -> String {
        let source = "\(escapeHTML(chapter.slug))/\(escapeHTML(image.file))"
        let pixelated = image.width < Self.minimumFigureWidth ? " class=\"pixelated\"" : ""
        return "<figure><a class=\"zoom-link\" href=\"\(source)\" aria-label=\"enlarge\(image.caption.isEmpty ? "" : ": " + escapeHTML(image.caption))\"><img src=\"\(source)\" width=\"\(image.width)\" height=\"\(image.height)\"\(pixelated) alt=\"\(escapeHTML(image.caption))\" loading=\"lazy\"></a>"
            + caption(image, chapter: chapter, cell: cell) + "</figure>\n"
    }

    /// A chart's SVG, inlined so it takes the page's colours; an `<img>` if the file is gone.
    private func chart(_ image: ImageOutput, chapter: Chapter, cell: Int, source: URL?) -> String {
        let svg = source.flatMap { FileManager.default.contents(atPath: $0.appendingPathComponent(image.file).path) }
            .map { String(decoding: $0, as: UTF8.self) }
        let drawing = svg ?? "<img src=\"\(escapeHTML(chapter.slug))/\(escapeHTML(image.file))\" width=\"\(image.width)\" height=\"\(image.height)\" alt=\"\(escapeHTML(image.caption))\">"
        return "<figure class=\"chart\">\(drawing)" + caption(image, chapter: chapter, cell: cell) + "</figure>\n"
    }

    /// The caption, then the cell that makes the figure (its anchor and Markdown line).
    private func caption(_ image: ImageOutput, chapter: Chapter, cell: Int) -> String {
        let text = image.caption.isEmpty ? "" : "\(escapeHTML(image.caption)) "
        return "<figcaption>\(text)<a class=\"source\" href=\"#cell-\(cell)\" title=\"made by cell [\(cell)] of \(escapeHTML(chapter.path))\">cell&nbsp;[\(cell)]</a></figcaption>"
    }
}

extension ImageOutput {
    /// Charts from `show(chart:)` are SVG files.
    var isChart: Bool { file.hasSuffix(".svg") }
}
