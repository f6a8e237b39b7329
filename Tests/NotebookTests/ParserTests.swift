import Foundation
import XCTest
@testable import Notebook

/// The parse and generate passes on Markdown strings (no compiler needed).
final class ParserTests: XCTestCase {
    let sample = """
    # Title *here*

    Intro with a [link](02-next.md#part) and [another](https://example.com/x.md).

    ```swift hidden
    let a = 1
    ```

    ## Section
    ## Section

    ```swift no-run, timeout=30
    let b = 2
    let c = 3
    ```

    ```python
    print("prose")
    ```

    ```swift should-fail timeout=5
    let d: Int = "x"
    ```
    """

    func testCellsAttributesAndLines() {
        let chapter = BookParser.parseChapter(sample, path: "chapters/01-first.md")
        XCTAssertEqual(chapter.issues, [])
        XCTAssertEqual(chapter.slug, "01-first")
        XCTAssertEqual(chapter.title, "Title here")
        let cells = chapter.cells
        XCTAssertEqual(cells.map(\.index), [1, 2, 3])
        XCTAssertEqual(cells.map(\.firstLine), [6, 13, 22])
        XCTAssertEqual(cells[1].lines, 13...14)
        XCTAssertEqual(cells[0].attributes, CellAttributes(hidden: true))
        XCTAssertEqual(cells[1].attributes, CellAttributes(noRun: true, timeout: 30))
        XCTAssertEqual(cells[2].attributes, CellAttributes(shouldFail: true, timeout: 5))
        XCTAssertEqual(cells[1].code, "let b = 2\nlet c = 3\n")
        XCTAssertEqual(chapter.timeout(default: 600), 30)
        XCTAssertEqual(chapter.headings.map(\.id), ["title-here", "section", "section-2"])
    }

    func testTheBookKeepsMarkdownAndOnlyTheRendererMakesHTML() {
        let chapter = BookParser.parseChapter(sample, path: "chapters/01-first.md")
        let prose = chapter.blocks.compactMap { if case let .prose(prose) = $0 { return prose } else { return nil } }
        XCTAssertEqual(prose.map(\.lines), [3...3, 17...19])
        XCTAssertEqual(prose[0].markdown, "Intro with a [link](02-next.md#part) and [another](https://example.com/x.md).\n")
        XCTAssertEqual(prose[1].markdown, "```python\nprint(\"prose\")\n```\n")
        XCTAssertEqual(chapter.headings.map(\.markdown), ["# Title *here*\n", "## Section\n", "## Section\n"])
        XCTAssertEqual(chapter.headings.map(\.line), [1, 9, 10])
        XCTAssertEqual(chapter.content, sample)
        XCTAssertEqual(chapter.number, 1)

        let markdown = MarkdownHTML(slugs: ["01-first", "02-next"], mentionLink: nil)
        let html = markdown.html(prose[0].markdown) + markdown.html(prose[1].markdown)
        XCTAssertTrue(html.contains("href=\"02-next.html#part\""), "links to chapters point at their pages: \(html)")
        XCTAssertTrue(html.contains("href=\"https://example.com/x.md\""), "other links stay")
        XCTAssertTrue(html.contains("<code class=\"language-python\">print(&quot;prose&quot;)"), "other code blocks stay prose")
        XCTAssertEqual(markdown.headingHTML(chapter.headings[0].markdown), "Title <em>here</em>")
    }

    func testMentionsBecomeLinksOnlyWhereTheResolverHasAPage() {
        let markdown = MarkdownHTML(slugs: [], mentionLink: { $0 == "_blocks.8:3" ? "atlas/_blocks.8-3.html" : nil })
        let html = markdown.html("See `_blocks.8:3`, not `_blocks.8:4`, nor [`_blocks.8:3`](x.html).\n")
        XCTAssertEqual(html, "<p>See <a href=\"atlas/_blocks.8-3.html\"><code>_blocks.8:3</code></a>, not <code>_blocks.8:4</code>, nor <a href=\"x.html\"><code>_blocks.8:3</code></a>.</p>\n")
    }

    func testCrossReferencesMustNameAChapterAnAnchorAndTheRightNumber() {
        let first = BookParser.parseChapter("""
            # One

            Fine: [chapter 2](02-two.md), [its cell](02-two.md#cell-1), [part](02-two.md#part), [here](#one).
            Wrong: [chapter 3](02-two.md) and
            [missing](07-none.md), [bad anchor](02-two.md#nowhere), [local](#nothing), [web](https://x.org/a.md).

            ```swift
            ```
            """, path: "chapters/01-one.md")
        let second = BookParser.parseChapter("# Two\n\n## Part\n\n```swift\n```\n", path: "chapters/02-two.md")
        let book = Book(title: "B", introduction: "", chapters: [first, second]).checkingCrossReferences()
        let issues = book.chapters[0].issues
        XCTAssertEqual(issues.map(\.line), [4, 5, 5, 5], "\(issues)")
        XCTAssertTrue(issues[0].message.contains("says chapter 3 but `02-two.md` is chapter 2"), issues[0].message)
        XCTAssertTrue(issues[1].message.contains("`07-none.md` names no chapter"), issues[1].message)
        XCTAssertTrue(issues[2].message.contains("no anchor `#nowhere`"), issues[2].message)
        XCTAssertTrue(issues[3].message.contains("no anchor `#nothing`"), issues[3].message)
        XCTAssertEqual(book.chapters[1].issues, [])
    }

    func testSearchIndexHasASectionPerHeadingWithProseCodeAndCaptions() throws {
        let chapter = BookParser.parseChapter("# One\n\nOpening *words*.\n\n## Part two\n\nMore `text`.\n\n```swift\nlet zebra = 1\n```\n",
                                              path: "chapters/01-one.md")
        var result = ChapterResult(path: chapter.path, slug: chapter.slug, key: "", quick: false)
        result.cells = [CellResult(index: 1, status: .passed, firstLine: 10,
                                   images: [ImageOutput(file: "cell-1-1.png", caption: "a striped animal", width: 8, height: 8)])]
        let index = SearchIndex(book: Book(title: "B", introduction: "Hello.\n", chapters: [chapter]), results: ["01-one": result])
        XCTAssertEqual(index.entries, [
            .init(chapter: "B", heading: "Introduction", url: "index.html", text: "Hello."),
            .init(chapter: "Chapter 1 · One", heading: "", url: "01-one.html", text: "One\nOpening words."),
            .init(chapter: "Chapter 1 · One", heading: "Part two", url: "01-one.html#part-two",
                  text: "More text.\nlet zebra = 1\na striped animal"),
        ])
        XCTAssertTrue(index.script.hasPrefix("window.FVBOOK_SEARCH = [{\"c\":\"B\""))
    }

    func testAttributeErrorsAndNestedCells() {
        let typo = BookParser.parseChapter("# T\n\n```swift no-rn\nx\n```\n", path: "c.md")
        XCTAssertEqual(typo.issues.count, 1)
        XCTAssertEqual(typo.issues[0].line, 3)
        XCTAssertTrue(typo.issues[0].message.contains("did you mean `no-run`"), typo.issues[0].message)
        let badTimeout = BookParser.parseChapter("```swift timeout=soon\nx\n```\n", path: "c.md")
        XCTAssertTrue(badTimeout.issues[0].message.contains("timeout"))
        let conflict = BookParser.parseChapter("```swift no-run should-fail\nx\n```\n", path: "c.md")
        XCTAssertTrue(conflict.issues[0].message.contains("both"))
        let nested = BookParser.parseChapter("```swift\nx\n```\n\n- item\n\n  ```swift\n  y\n  ```\n", path: "c.md")
        XCTAssertEqual(nested.issues.map(\.line), [7])
        XCTAssertEqual(BookParser.parseChapter("```swiftui\nx\n```\n", path: "c.md").cells.count, 0, "only `swift` makes a cell")
    }

    func testUnclosedFenceIsAnIssueButAClosedOneIsNot() {
        XCTAssertEqual(BookParser.parseChapter("```swift\nlet x = 1\n", path: "c.md").issues.map(\.line), [1])
        XCTAssertEqual(BookParser.parseChapter("````swift\nlet x = 1\n```\n", path: "c.md").issues.count, 1,
                       "a shorter fence does not close")
        XCTAssertEqual(BookParser.parseChapter("~~~swift\nlet x = 1\n~~~~\n", path: "c.md").issues, [])
        XCTAssertEqual(BookParser.parseChapter("```swift\n```\n", path: "c.md").issues, [])
    }

    func testBookOrdersChaptersByFileNameAndReadsTheIntroduction() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in [("10-b.md", "# B\n```swift\n```\n"), ("02-a.md", "# A\n```swift\n```\n"),
                             ("index.md", "# My Book\n\nWelcome *in*.\n"), ("notes.txt", "x")] {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let book = try BookParser.parse(folder: folder, root: folder.deletingLastPathComponent())
        XCTAssertEqual(book.chapters.map(\.slug), ["02-a", "10-b"])
        XCTAssertEqual(book.chapters[0].path, "\(folder.lastPathComponent)/02-a.md")
        XCTAssertEqual(book.title, "My Book")
        XCTAssertEqual(book.introduction, "Welcome *in*.\n")
        XCTAssertThrowsError(try BookParser.parse(folder: folder.appendingPathComponent("missing"), root: folder))
    }

    func testProgramHasSourceLocationsBoundariesAndScopedShouldFailCells() {
        let chapter = BookParser.parseChapter(sample, path: "chapters/01-first.md")
        let program = ProgramGenerator.program(for: chapter)
        XCTAssertEqual(program.cells, [1, 3], "no-run cells are left out")
        let lines = program.source.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(6)), ["import Foundation", "import FeatureVis", "import Models", "import Tensors",
                                               "import BookRuntime", "_bookStart()"])
        XCTAssertTrue(program.source.contains("""
            _cellBegin(1)
            #sourceLocation(file: "chapters/01-first.md", line: 6)
            let a = 1
            #sourceLocation()
            _cellEnd(1)
            """))
        XCTAssertTrue(program.source.contains("""
            if _shouldFailRuns(3) {
            _cellBegin(3)
            #sourceLocation(file: "chapters/01-first.md", line: 22)
            let d: Int = "x"
            #sourceLocation()
            _cellEnd(3)
            }
            """))
        XCTAssertEqual(lines.last, "_bookEnd()")
        XCTAssertEqual(ProgramGenerator.program(for: chapter, excluding: [3]).cells, [1])
    }

    /// The sidebar of every page and the index link the atlas only when the site has one.
    func testTheAtlasIsLinkedFromTheSidebarAndTheIndexWhenThereIsOne() {
        let chapter = BookParser.parseChapter("# One\n\n```swift\n```\n", path: "chapters/01-one.md")
        let book = Book(title: "B", introduction: "", chapters: [chapter])
        let site = URL(fileURLWithPath: NSTemporaryDirectory())
        let with = HTMLRenderer(atlasIndex: "atlas/index.html"), without = HTMLRenderer()
        let link = "href=\"atlas/index.html\""
        XCTAssertTrue(with.sidebar(book, current: 0, results: [:]).contains(link))
        XCTAssertTrue(with.index(book, results: [:], site: site).contains(link))
        XCTAssertFalse(without.sidebar(book, current: 0, results: [:]).contains(link))
        XCTAssertFalse(without.index(book, results: [:], site: site).contains(link))
    }
}
