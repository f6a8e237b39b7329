/// Light syntax highlighting for Swift cells: comments, strings, numbers, keywords, type names,
/// attributes and directives become `<span class="…">`, everything HTML-escaped.
///
/// A small lexer over the code (not over HTML): enough to make code readable, not a parser.
///
/// ```swift
/// SwiftHighlighter.html("let x = 1 // one")
/// // <span class="kw">let</span> x = <span class="num">1</span> <span class="com">// one</span>
/// ```
enum SwiftHighlighter {
    static let keywords: Set<String> = [
        "let", "var", "func", "return", "if", "else", "guard", "for", "in", "while", "repeat", "switch", "case",
        "default", "break", "continue", "struct", "class", "enum", "protocol", "extension", "import", "init",
        "self", "Self", "true", "false", "nil", "try", "throw", "throws", "rethrows", "do", "catch", "as", "is",
        "where", "inout", "static", "private", "public", "internal", "fileprivate", "final", "mutating",
        "some", "any", "defer", "typealias", "associatedtype", "await", "async", "lazy", "weak", "override",
        "subscript", "operator", "fallthrough", "super",
    ]

    static func html(_ code: String) -> String {
        let scalars = Array(code.unicodeScalars)
        var out = ""
        var i = 0
        func text(_ from: Int, _ to: Int) -> String {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[from..<to])
            return escapeHTML(String(s))
        }
        func span(_ kind: String, _ from: Int, _ to: Int) { out += "<span class=\"\(kind)\">\(text(from, to))</span>" }
        func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < scalars.count ? scalars[i + offset] : nil }
        while i < scalars.count {
            let c = scalars[i]
            let start = i
            if c == "/" && peek(1) == "/" {
                while i < scalars.count && scalars[i] != "\n" { i += 1 }
                span("com", start, i)
            } else if c == "/" && peek(1) == "*" {
                i += 2
                var depth = 1
                while i < scalars.count && depth > 0 {
                    if scalars[i] == "/" && peek(1) == "*" { depth += 1; i += 2 }
                    else if scalars[i] == "*" && peek(1) == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                }
                span("com", start, min(i, scalars.count))
            } else if c == "\"" {
                let triple = peek(1) == "\"" && peek(2) == "\""
                i += triple ? 3 : 1
                while i < scalars.count {
                    if scalars[i] == "\\" { i += 2; continue }
                    if triple {
                        if scalars[i] == "\"" && peek(1) == "\"" && peek(2) == "\"" { i += 3; break }
                    } else if scalars[i] == "\"" || scalars[i] == "\n" { i += 1; break }
                    i += 1
                }
                span("str", start, min(i, scalars.count))
            } else if isDigit(c) {
                while i < scalars.count && (isIdentifier(scalars[i]) || scalars[i] == "." && i + 1 < scalars.count && isDigit(scalars[i + 1])) { i += 1 }
                span("num", start, i)
            } else if c == "@" || c == "#", i + 1 < scalars.count, isIdentifierStart(scalars[i + 1]) {
                i += 1
                while i < scalars.count && isIdentifier(scalars[i]) { i += 1 }
                span("attr", start, i)
            } else if isIdentifierStart(c) {
                while i < scalars.count && isIdentifier(scalars[i]) { i += 1 }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[start..<i])
                let word = String(s)
                if keywords.contains(word) { span("kw", start, i) }
                else if let first = word.unicodeScalars.first, first.properties.isUppercase { span("typ", start, i) }
                else { out += text(start, i) }
            } else {
                i += 1
                out += text(start, i)
            }
        }
        return out
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
    private static func isIdentifier(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || isDigit(c) }
}
