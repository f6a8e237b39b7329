import BookProtocol
import Foundation

/// Checks a claim the chapter makes; a false one fails the chapter (and `fvbook test`), while the
/// rest of the cell keeps running.
///
/// The page lists every check under its cell, passed or failed, with its Markdown line: the
/// chapter program maps `#line` to the chapter file with `#sourceLocation`.
///
/// ```swift
/// check(score > bestPhotoPatch, "the optimized image activates the channel more than any photo patch")
/// ```
/// - Returns: the condition, for chapters that want to branch on it.
@discardableResult
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
                  file: StaticString = #filePath, line: UInt = #line) -> Bool {
    let passed = condition()
    let text = message()
    let session = Session.shared
    if session.folder == nil {
        if !passed { fputs("\(file):\(line): check failed: \(text)\n", stderr) }
        return passed
    }
    session.record(.check(cell: session.cell, passed: passed, message: text, file: "\(file)", line: Int(line)))
    return passed
}
