import Foundation
import Suggestions

extension CellAttributes {
    /// The attribute words a cell's info string may carry after `swift`.
    static let known = ["hidden", "no-run", "should-fail", "timeout="]

    /// Parses the words after `swift` in an info string (`swift hidden timeout=30`).
    ///
    /// Words are separated by spaces or commas. Unknown words are errors with a suggestion.
    ///
    /// - Returns: the attributes, or a message describing the first bad word.
    static func parse(_ words: [Substring]) -> Result<CellAttributes, AttributeError> {
        var attributes = CellAttributes()
        for word in words {
            switch word {
            case "hidden": attributes.hidden = true
            case "no-run": attributes.noRun = true
            case "should-fail": attributes.shouldFail = true
            case _ where word.hasPrefix("timeout="):
                let value = word.dropFirst("timeout=".count)
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    return .failure(AttributeError(message: "timeout needs a positive number of seconds, got `\(value)`"))
                }
                attributes.timeout = seconds
            default:
                let hint = didYouMean(String(word), in: ["hidden", "no-run", "should-fail", "timeout"])
                return .failure(AttributeError(message:
                    "unknown cell attribute `\(word)`\(hint) (known: hidden, no-run, should-fail, timeout=SECONDS)"))
            }
        }
        if attributes.noRun && attributes.shouldFail {
            return .failure(AttributeError(message: "a cell cannot be both `no-run` and `should-fail`"))
        }
        return .success(attributes)
    }

    struct AttributeError: Error { var message: String }
}
