/// Errors from rendering that come from user input or diverging optimizations.
/// (Unknown layers and channels out of range are the model's ``Models/ModelError``.)
public enum FeatureVisError: Error, CustomStringConvertible, Equatable {
    /// An argument outside its valid range, e.g. `size 0 (valid: 1…4096)`.
    case invalidArgument(name: String, value: String, valid: String)
    /// The objective or its gradient became NaN or infinite.
    case nonFinite(what: String, step: Int, objective: String)

    public var description: String {
        switch self {
        case let .invalidArgument(name, value, valid):
            return "invalid \(name) \(value): valid values are \(valid)"
        case let .nonFinite(what, step, objective):
            return "the \(what) became NaN or infinite at step \(step) of objective \(objective); try a lower learning rate"
        }
    }
}

/// Throws ``FeatureVisError/invalidArgument(name:value:valid:)`` unless `value` is in `range`.
func validate(_ name: String, _ value: Int, in range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw FeatureVisError.invalidArgument(name: name, value: "\(value)", valid: "\(range.lowerBound)…\(range.upperBound)")
    }
}
