import Foundation
internal import CCmark

/// Markdown → HTML for ``HTMLRenderer``, on cmark's syntax tree (never on finished HTML).
///
/// Links to chapter files (`04-understanding.md#robustness`, checked by
/// ``Book/checkingCrossReferences()``) point at their pages; an inline code span for which
/// `mentionLink` returns a URL (an atlas page for `` `_blocks.8:3` ``, say) becomes a link.
struct MarkdownHTML {
    /// The book's chapter slugs: `NAME.md` links to these become `NAME.html`.
    var slugs: Set<String>
    var mentionLink: (@Sendable (String) -> String?)?

    /// Block Markdown (a ``Prose`` run, the introduction) as HTML.
    func html(_ markdown: String) -> String {
        withDocument(markdown) { document in render(document) }
    }

    /// The inner HTML of the heading in `markdown` (`## Title *here*` → `Title <em>here</em>`).
    func headingHTML(_ markdown: String) -> String {
        withDocument(markdown) { document in
            guard let heading = cmark_node_first_child(document), cmark_node_get_type(heading) == CMARK_NODE_HEADING else {
                return render(document)
            }
            var html = ""
            var child = cmark_node_first_child(heading)
            while let current = child {
                html += render(current)
                child = cmark_node_next(current)
            }
            return html
        }
    }

    /// The words of `markdown` without markup, code blocks included: what search looks through.
    static func plainText(_ markdown: String) -> String {
        let document = markdown.withCString { cmark_parse_document($0, strlen($0), BookParser.options)! }
        defer { cmark_node_free(document) }
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        var text = ""
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let node = cmark_iter_get_node(iterator)!
            switch cmark_node_get_type(node) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK:
                if cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let literal = cmark_node_get_literal(node) {
                    text += String(cString: literal)
                }
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: text += " "
            case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING, CMARK_NODE_ITEM:
                if cmark_iter_get_event_type(iterator) == CMARK_EVENT_EXIT { text += "\n" }
            default: break
            }
        }
        return text
    }

    private func withDocument(_ markdown: String, _ body: (OpaquePointer) -> String) -> String {
        let document = markdown.withCString { cmark_parse_document($0, strlen($0), BookParser.options)! }
        defer { cmark_node_free(document) }
        resolveLinks(in: document)
        return body(document)
    }

    private func render(_ node: OpaquePointer) -> String {
        guard let html = cmark_render_html(node, BookParser.options) else { return "" }
        defer { free(html) }
        return String(cString: html)
    }

    /// Chapter links to pages; mentions to their links. Nodes are collected first: the tree
    /// changes under an iterator otherwise.
    private func resolveLinks(in document: OpaquePointer) {
        var links: [OpaquePointer] = [], mentions: [OpaquePointer] = []
        let iterator = cmark_iter_new(document)
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER else { continue }
            let node = cmark_iter_get_node(iterator)!
            switch cmark_node_get_type(node) {
            case CMARK_NODE_LINK: links.append(node)
            case CMARK_NODE_CODE where mentionLink != nil && !isInsideLink(node): mentions.append(node)
            default: break
            }
        }
        cmark_iter_free(iterator)
        for link in links {
            guard let url = cmark_node_get_url(link).map({ String(cString: $0) }), let local = LocalLink(url),
                  !local.file.isEmpty, slugs.contains(String(local.file.dropLast(3))) else { continue }
            cmark_node_set_url(link, String(local.file.dropLast(3)) + ".html" + (local.anchor.map { "#" + $0 } ?? ""))
        }
        for code in mentions {
            guard let literal = cmark_node_get_literal(code).map({ String(cString: $0) }),
                  let url = mentionLink?(literal) else { continue }
            let link = cmark_node_new(CMARK_NODE_LINK)!
            cmark_node_set_url(link, url)
            cmark_node_insert_before(code, link)
            cmark_node_append_child(link, code)
        }
    }

    private func isInsideLink(_ node: OpaquePointer) -> Bool {
        var parent = cmark_node_parent(node)
        while let current = parent {
            if cmark_node_get_type(current) == CMARK_NODE_LINK { return true }
            parent = cmark_node_parent(current)
        }
        return false
    }
}

/// Escapes `& < > "` for HTML text and attribute values.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
