import Foundation
import XCTest
@testable import Notebook

/// Writing an edited cell back into its Markdown: only the cell's lines change.
final class CellEditTests: XCTestCase {
    let markdown = """
    # Edits

    Prose with `code` and trailing spaces.  

    ```swift
    let a = 1
    print(a)
    ```

      ```swift hidden
      let b = 2
      ```

    ```swift
    ```

    The end.

    """

    func edit(_ source: String, cell: Int, code: String) throws -> String {
        let chapter = BookParser.parseChapter(source, path: "chapters/x.md")
        let base = chapter.cells[cell - 1].code
        return try CellEdit.apply(to: source, chapter: chapter, cell: cell, base: base, code: code)
    }

    func testOnlyTheCellsLinesChange() throws {
        let edited = try edit(markdown, cell: 1, code: "let a = 41\nlet z = a + 1\nprint(z)")
        XCTAssertEqual(edited, markdown.replacingOccurrences(of: "let a = 1\nprint(a)\n", with: "let a = 41\nlet z = a + 1\nprint(z)\n"))
        // The edited file parses to the new code in the same cell, the other cells unchanged.
        let chapter = BookParser.parseChapter(edited, path: "chapters/x.md")
        XCTAssertEqual(chapter.cells.map(\.code), ["let a = 41\nlet z = a + 1\nprint(z)\n", "let b = 2\n", ""])
    }

    func testIndentedAndEmptyCells() throws {
        let indented = try edit(markdown, cell: 2, code: "let b = 3\n\nlet c = b")
        XCTAssertTrue(indented.contains("  ```swift hidden\n  let b = 3\n\n  let c = b\n  ```\n"), indented)
        XCTAssertEqual(BookParser.parseChapter(indented, path: "chapters/x.md").cells[1].code, "let b = 3\n\nlet c = b\n")
        let filled = try edit(markdown, cell: 3, code: "print(\"was empty\")\n")
        XCTAssertTrue(filled.contains("```swift\nprint(\"was empty\")\n```\n\nThe end."), filled)
        XCTAssertEqual(try edit(filled, cell: 3, code: ""), markdown)
    }

    func testCRLFFilesKeepTheirLineEndings() throws {
        let crlf = markdown.replacingOccurrences(of: "\n", with: "\r\n")
        let edited = try edit(crlf, cell: 1, code: "let a = 2\r\nprint(a)\r\n")
        XCTAssertEqual(edited, crlf.replacingOccurrences(of: "let a = 1", with: "let a = 2"))
    }

    func testRefusals() throws {
        let chapter = BookParser.parseChapter(markdown, path: "chapters/x.md")
        XCTAssertThrowsError(try CellEdit.apply(to: markdown, chapter: chapter, cell: 9, base: "", code: "x")) {
            XCTAssertEqual($0 as? CellEditError, .noSuchCell("chapters/x.md", 9, count: 3))
        }
        XCTAssertThrowsError(try CellEdit.apply(to: markdown, chapter: chapter, cell: 1, base: "let a = 0\n", code: "x")) {
            XCTAssertEqual($0 as? CellEditError, .changedOnDisk("chapters/x.md", 1))
        }
        XCTAssertThrowsError(try CellEdit.apply(to: markdown, chapter: chapter, cell: 1, base: "let a = 1\nprint(a)",
                                                code: "print(1)\n```\n# injected")) {
            XCTAssertEqual($0 as? CellEditError, .fenceInCode("chapters/x.md", line: 2))
        }
    }
}
