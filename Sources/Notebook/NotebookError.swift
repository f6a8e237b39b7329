import Foundation
import Suggestions

/// Errors about the runner's input and environment (user input: typed, with context).
///
/// Problems inside a chapter are not errors but ``Failure``s in its result, so one bad chapter
/// never stops the others.
public enum NotebookError: Error, CustomStringConvertible, Equatable {
    /// The chapters folder is missing or has no `*.md` chapters.
    case noChapters(String)
    /// A file could not be read.
    case unreadable(String)
    /// `fvbook run` named a chapter that is not in the book.
    case unknownChapter(String, available: [String])
    /// The chapter library (FVBookKit) or `swiftc` is not where it should be.
    case toolchain(String)
    /// A file or folder of the site or cache could not be written.
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case let .noChapters(folder): return "\(folder): no chapters (*.md files) found"
        case let .unreadable(path): return "\(path): cannot read the file"
        case let .unknownChapter(name, available):
            let hint = didYouMean(name, in: available)
            return "no chapter `\(name)` in the book\(hint) Chapters: \(available.joined(separator: ", "))"
        case let .toolchain(message): return message
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
