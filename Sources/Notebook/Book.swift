import Foundation

// The book as values. Passes take these and return new values (mdBook style):
//
//   BookParser.parse (cmark)  →  Book
//   ProgramGenerator          →  ChapterProgram   (one Swift program per chapter)
//   ChapterCompiler (swiftc)  →  CompiledChapter  (or compile failures on Markdown lines)
//   ChapterRunner (process)   →  ChapterResult    (per-cell output, images, checks, failures)
//   Renderer (cmark HTML)     →  site/
//
// `BookBuilder` strings them together with the cache.

/// A whole book: its chapters in file-name order and an optional introduction (`index.md`).
public struct Book: Sendable {
    /// The book's title: the first heading of `index.md`, else "Book".
    public var title: String
    /// The introduction's HTML (from `index.md`, without its title heading), or empty.
    public var introductionHTML: String
    /// The chapters, ordered by file name.
    public var chapters: [Chapter]

    public init(title: String, introductionHTML: String, chapters: [Chapter]) {
        self.title = title
        self.introductionHTML = introductionHTML
        self.chapters = chapters
    }

    /// The chapter whose source path (relative to the project root) or slug is `name`.
    public func chapter(named name: String) -> Chapter? {
        chapters.first { $0.path == name || $0.slug == name }
    }
}

/// One Markdown chapter: prose and code cells in document order.
public struct Chapter: Sendable {
    /// The source path relative to the project root, as it appears in diagnostics
    /// (`chapters/02-multiscale.md`).
    public var path: String
    /// The file name without `.md`: names the page (`02-multiscale.html`) and its image folder.
    public var slug: String
    /// The first heading's text, else the slug.
    public var title: String
    /// Prose, headings and cells in document order.
    public var blocks: [Block]
    /// Problems found while parsing (unclosed fence, bad attribute, no cells): the chapter fails
    /// without running, the rest of the book still builds.
    public var issues: [Failure]

    public init(path: String, slug: String, title: String, blocks: [Block], issues: [Failure]) {
        self.path = path
        self.slug = slug
        self.title = title
        self.blocks = blocks
        self.issues = issues
    }

    /// The Swift cells, in order.
    public var cells: [Cell] {
        blocks.compactMap { if case let .cell(cell) = $0 { return cell } else { return nil } }
    }

    /// The headings, in order, for the table of contents.
    public var headings: [Heading] {
        blocks.compactMap { if case let .heading(heading) = $0 { return heading } else { return nil } }
    }

    /// The run-time budget: the largest `timeout=` of any cell, else `defaultTimeout`.
    public func timeout(default defaultTimeout: Double) -> Double {
        cells.compactMap(\.attributes.timeout).max() ?? defaultTimeout
    }
}

/// A piece of a chapter.
public enum Block: Sendable {
    /// Rendered prose (paragraphs, lists, other code blocks, …) as HTML.
    case prose(html: String)
    /// A heading, kept apart for anchors and the table of contents.
    case heading(Heading)
    /// A Swift cell.
    case cell(Cell)
}

/// A heading: level, plain text, anchor id and inner HTML.
public struct Heading: Sendable, Equatable {
    public var level: Int
    public var text: String
    public var id: String
    public var html: String
}

/// A fenced ```` ```swift ```` block.
public struct Cell: Sendable, Equatable {
    /// 1-based position among the chapter's cells; the program's `_cellBegin(index)`.
    public var index: Int
    /// The Markdown line of the cell's first code line (the line after the fence).
    public var firstLine: Int
    /// Columns that cmark removed in front of each code line (the fence's indentation),
    /// added back to compiler columns.
    public var columnOffset: Int
    /// The code, verbatim, ending in a newline (or empty).
    public var code: String
    public var attributes: CellAttributes

    /// The Markdown lines the code occupies.
    public var lines: ClosedRange<Int> {
        let count = max(code.split(separator: "\n", omittingEmptySubsequences: false).count - 1, 1)
        return firstLine...(firstLine + count - 1)
    }
}

/// What the info string after `swift` says about a cell.
public struct CellAttributes: Sendable, Equatable, Hashable, Codable {
    /// Runs but is not shown (set-up code).
    public var hidden = false
    /// Shown but neither compiled nor run.
    public var noRun = false
    /// Must fail to compile or must trap; the chapter passes only if it does.
    public var shouldFail = false
    /// The chapter's run-time budget in seconds.
    public var timeout: Double?

    public init(hidden: Bool = false, noRun: Bool = false, shouldFail: Bool = false, timeout: Double? = nil) {
        self.hidden = hidden
        self.noRun = noRun
        self.shouldFail = shouldFail
        self.timeout = timeout
    }

    /// Whether the cell is part of the chapter program.
    public var runs: Bool { !noRun }
}
