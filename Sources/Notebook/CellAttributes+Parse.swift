import Foundation

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
                let guess = closest(String(word), in: ["hidden", "no-run", "should-fail", "timeout"])
                let hint = guess.map { " — did you mean `\($0)`?" } ?? ""
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

/// The candidate nearest to `word` by edit distance, if reasonably close.
func closest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous + (a[i - 1] == b[j - 1] ? 0 : 1)
                previous = row[j]
                row[j] = min(substitution, row[j] + 1, row[j - 1] + 1)
            }
        }
        return row[b.count]
    }
    let scored = candidates.map { ($0, distance(Array(word), Array($0))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 2) else { return nil }
    return best.0
}
