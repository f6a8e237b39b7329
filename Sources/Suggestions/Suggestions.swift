// Suggestions: "did you mean" for every name a user can mistype (layers, checkpoint keys, cell
// attributes, chapters, command-line values), shared by the engine and the book.

/// " — did you mean `x`?" for the candidate nearest to `name`, or "" when none is close.
public func didYouMean(_ name: String, in candidates: [String]) -> String {
    closestMatch(to: name, in: candidates).map { " — did you mean `\($0)`?" } ?? ""
}

/// The candidate nearest to `name` by edit distance, if any is reasonably close.
///
/// ```swift
/// closestMatch(to: "_block.8", in: model.layerNames)   // "_blocks.8"
/// ```
public func closestMatch(to name: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(name, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, name.count / 2) ? best.0 : nil
}

/// Levenshtein distance between two strings (by Unicode scalars).
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
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
