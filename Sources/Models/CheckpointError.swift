/// Why a checkpoint could not be read, or a tensor in it could not be used.
///
/// These are user-input errors (a file on disk, a key a model asks for), so each one names the file
/// and says what is wrong in one line; none of the readers traps on a malformed file.
///
/// ```swift
/// do { _ = try Checkpoint(contentsOf: "weights.pth") }
/// catch let error as CheckpointError { print(error) }  // weights.pth: cut short (…)
/// ```
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// There is no file at the path.
    case fileNotFound(String)
    /// The file ends before the data its own headers promise.
    case truncated(file: String, String)
    /// The file is not a checkpoint in a format this reader knows, or its structure is corrupt.
    case notACheckpoint(file: String, String)
    /// A well-formed file uses a feature the reader does not support (a compressed zip entry,
    /// a big-endian file, a pickled class outside the whitelist).
    case unsupported(file: String, String)
    /// A model asked for a key the checkpoint does not hold.
    case missingKey(file: String, key: String, closest: String? = nil)
    /// A tensor has another shape than the model expects.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "\(path): no such file"
        case let .truncated(file, detail):
            return "\(file): file is cut short (\(detail))"
        case let .notACheckpoint(file, detail):
            return "\(file): not a readable checkpoint (\(detail))"
        case let .unsupported(file, detail):
            return "\(file): unsupported checkpoint feature (\(detail))"
        case let .missingKey(file, key, closest):
            let hint = closest.map { " — did you mean `\($0)`?" } ?? ""
            return "\(file): no tensor named `\(key)`\(hint)"
        case let .shapeMismatch(file, key, expected, found):
            return "\(file): tensor `\(key)` has shape \(found), expected \(expected)"
        }
    }
}
