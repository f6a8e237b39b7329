import Foundation

/// The site's full-text search index, built at render time from the whole book: one entry per
/// section (a chapter's text up to its next heading), with the section's prose, its cells' code
/// and its figures' captions.
///
/// Written as a script (`search.js` sets `window.FVBOOK_SEARCH`), not JSON: a page opened from
/// `file://` may load a script beside it but may not fetch a file. The page script searches it.
///
/// ```swift
/// try AtomicFiles.write(SearchIndex(book: book, results: results).script, to: site.appendingPathComponent(SearchIndex.file))
/// ```
struct SearchIndex {
    static let file = "search.js"

    struct Entry: Encodable, Equatable {
        /// The chapter: "Chapter 3 · Diversity".
        var chapter: String
        /// The section's heading (empty for a chapter's opening).
        var heading: String
        /// Page and anchor: `03-diversity.html#the-objective`.
        var url: String
        var text: String

        enum CodingKeys: String, CodingKey { case chapter = "c", heading = "h", url = "u", text = "x" }
    }

    var entries: [Entry] = []

    init(book: Book, results: [String: ChapterResult]) {
        if !book.introduction.isEmpty {
            entries.append(Entry(chapter: book.title, heading: "Introduction", url: "index.html",
                                 text: Self.squeeze(MarkdownHTML.plainText(book.introduction))))
        }
        for chapter in book.chapters {
            let name = (chapter.label.map { "\($0) · " } ?? "") + chapter.title
            let result = results[chapter.slug]
            var current = Entry(chapter: name, heading: "", url: "\(chapter.slug).html", text: "")
            func flush() {
                current.text = Self.squeeze(current.text)
                if !current.text.isEmpty || !current.heading.isEmpty { entries.append(current) }
            }
            for block in chapter.blocks {
                switch block {
                case let .heading(heading) where heading.level == 1 && current.heading.isEmpty && current.text.isEmpty:
                    current.text += heading.text + "\n"
                case let .heading(heading):
                    flush()
                    current = Entry(chapter: name, heading: heading.text, url: "\(chapter.slug).html#\(heading.id)", text: "")
                case let .prose(prose):
                    current.text += MarkdownHTML.plainText(prose.markdown) + "\n"
                case let .cell(cell):
                    current.text += cell.code + "\n"
                    for image in result?.cell(cell.index)?.images ?? [] where !image.caption.isEmpty {
                        current.text += image.caption + "\n"
                    }
                }
            }
            flush()
        }
    }

    /// `window.FVBOOK_SEARCH = [...]`, deterministic (sorted keys, no timestamps).
    var script: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        // `</script>` cannot end the file early: it is loaded by src, but keep it inert anyway.
        return "window.FVBOOK_SEARCH = \(json.replacingOccurrences(of: "</", with: "<\\/"));\n"
    }

    /// Runs of white space as one space, lines kept apart by one newline.
    private static func squeeze(_ text: String) -> String {
        text.split(separator: "\n").map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
