/// The shell every page of the site shares (book pages and atlas pages): the head with the
/// inlined stylesheet `css`, then `body` inside `<body>`.
///
/// ```swift
/// let html = htmlPage(title: "Atlas", css: Style.css, bodyClass: "atlas", body: "<main>…</main>")
/// ```
///
/// - Parameters:
///   - links: `<link>` lines for the head, each ending in a newline (or empty).
///   - bodyClass: the `<body>` element's class, if any.
package func htmlPage(title: String, links: String = "", css: String, bodyClass: String?, body: String) -> String {
    """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(escapeHTML(title))</title>
    \(links)<style>
    \(css)
    </style>
    </head>
    <body\(bodyClass.map { " class=\"\($0)\"" } ?? "")>
    \(body)
    </body>
    </html>

    """
}
