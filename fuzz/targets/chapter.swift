// libFuzzer target: the chapter parser (cmark, cell attributes, fence checks), the program
// generator and the HTML page renderer, on arbitrary Markdown.
//
// Parsing never throws: problems are the chapter's issues. Any trap or sanitizer report is a
// finding. Built and run by `fuzz/run.sh`.
import Foundation
@testable import Notebook

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChapter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let chapter = BookParser.parseChapter(text, path: "chapters/01-fuzz.md")
    let program = ProgramGenerator.program(for: chapter)
    for cell in chapter.cells where !program.cells.contains(cell.index) && cell.attributes.runs {
        fatalError("runnable cell \(cell.index) is missing from the program")
    }
    let book = Book(title: "Fuzz", introduction: text, chapters: [chapter]).checkingCrossReferences()
    _ = HTMLRenderer().page(for: 0, in: book, results: [:])
    _ = SearchIndex(book: book, results: [:]).script
    return 0
}
