import Foundation

/// Something that went wrong in a chapter, located in its Markdown file when possible.
///
/// Failures are results, not thrown errors: every chapter runs, and the summary lists each
/// failure with file, line and message ("run everything, then fail once").
public struct Failure: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// The Markdown could not be turned into cells (unclosed fence, bad attribute, no cells).
        case parse
        /// `swiftc` rejected the chapter program.
        case compile
        /// The program trapped (precondition, fatalError, index out of range, signal) or exited.
        case trap
        /// The chapter ran past its time budget and was killed.
        case timeout
        /// A `check(…)` was false.
        case check
        /// A `should-fail` cell compiled and ran without failing.
        case unexpectedSuccess
        /// The runner itself could not do its job (launch failure, unreadable files).
        case runner

        /// How a failure of this kind is named: `label` in the one-line terminal form, `title` on
        /// the page's failure box.
        var wording: (label: String, title: String) {
            switch self {
            case .parse: return ("error", "Markdown problem")
            case .compile: return ("error", "Compile error")
            case .trap: return ("error", "Runtime failure")
            case .timeout: return ("timeout", "Timed out")
            case .check: return ("check failed", "Check failed")
            case .unexpectedSuccess: return ("should-fail cell did not fail", "Should have failed")
            case .runner: return ("runner error", "Runner problem")
            }
        }
    }

    public var kind: Kind
    /// The chapter's path relative to the project root.
    public var file: String
    public var line: Int?
    public var column: Int?
    /// One line: what happened.
    public var message: String
    /// More text: compiler excerpt, backtrace (may be empty).
    public var details: String
    /// The cell it belongs to, if any.
    public var cell: Int?

    public init(kind: Kind, file: String, line: Int? = nil, column: Int? = nil, message: String,
                details: String = "", cell: Int? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.details = details
        self.cell = cell
    }

    /// `file:line:column`, as far as known.
    public var location: String {
        var text = file
        if let line { text += ":\(line)" }
        if line != nil, let column { text += ":\(column)" }
        return text
    }

    /// `chapters/x.md:12:5: error: message` — the compiler's shape, for terminals and editors.
    public var description: String {
        "\(location): \(kind.wording.label): \(message)"
    }

    /// The same failure with its line passed through `move` (a cell moved after a prose edit).
    func moved(_ move: (Int) -> Int) -> Failure {
        var copy = self
        copy.line = line.map(move)
        return copy
    }
}
