import Foundation

// The book as values, Markdown until the renderer (mdBook style). Passes take these and return
// new values:
//
//   BookParser.parse (cmark)      →  Book             (chapters split into prose, headings, cells)
//   Book.checkingCrossReferences  →  Book             (links between chapters checked: issues)
//   ProgramGenerator              →  ChapterProgram   (one Swift program per chapter)
//   ChapterCompiler (swiftc)      →  CompiledChapter  (or compile failures on Markdown lines)
//   ChapterRunner (process)       →  ChapterResult    (per-cell output, images, checks, failures)
//   Renderer (HTMLRenderer: cmark) →  site/           (the only place HTML is made)
//
// `BookBuilder` strings them together with the cache.

/// A whole book: its chapters in file-name order and an optional introduction (`index.md`).
public struct Book: Sendable {
    /// The book's title: the first heading of `index.md`, else "Book".
    public var title: String
    /// The introduction's Markdown (from `index.md`, without its title heading), or empty.
    public var introduction: String
    /// The chapters, ordered by file name.
    public var chapters: [Chapter]

    public init(title: String, introduction: String, chapters: [Chapter]) {
        self.title = title
        self.introduction = introduction
        self.chapters = chapters
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
    /// The chapter's Markdown as read (line endings normalized): what every block's lines index.
    public var content: String
    /// Prose, headings and cells in document order.
    public var blocks: [Block]
    /// Problems found while parsing (unclosed fence, bad attribute, no cells, a broken link): the
    /// chapter fails without running, the rest of the book still builds.
    public var issues: [Failure]

    public init(path: String, slug: String, title: String, content: String = "", blocks: [Block], issues: [Failure]) {
        self.path = path
        self.slug = slug
        self.title = title
        self.content = content
        self.blocks = blocks
        self.issues = issues
    }

    /// The number the book gives the chapter: its file name's leading digits
    /// (`03-diversity.md` → 3), or nil when it has none.
    public var number: Int? { Int(slug.prefix { $0.isNumber }) }

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
public enum Block: Sendable, Equatable {
    /// Prose (paragraphs, lists, tables, other code blocks, …) between headings and cells.
    case prose(Prose)
    /// A heading, kept apart for anchors and the table of contents.
    case heading(Heading)
    /// A Swift cell.
    case cell(Cell)
}

/// A run of top-level Markdown blocks that are neither headings nor cells.
///
/// Rendered on its own, so a reference-style link (`[text][name]`) needs its definition in the
/// same run.
public struct Prose: Sendable, Equatable {
    /// The Markdown source of the run, verbatim.
    public var markdown: String
    /// The lines of the chapter file it occupies.
    public var lines: ClosedRange<Int>
}

/// A heading: level, plain text, anchor id and its Markdown source.
public struct Heading: Sendable, Equatable {
    public var level: Int
    /// The text without markup (`Title *here*` → `Title here`): table of contents, titles, search.
    public var text: String
    /// The anchor, unique in the chapter (`section`, `section-2`).
    public var id: String
    /// The heading's Markdown source (`## Title *here*`).
    public var markdown: String
    /// The heading's first line in the chapter file.
    public var line: Int
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
