import Foundation

/// Where pretrained weights live: the folder `make setup` (`bash scripts/setup.sh`) fills.
///
/// The folder is `$FVBOOK_CACHE` when that is set, else `~/.cache/fvbook`. Nothing is downloaded
/// at run time; a missing file is a ``MissingWeightsError`` that says how to fetch it.
public enum ModelCache {
    public static let environmentVariable = "FVBOOK_CACHE"

    /// The cache folder for an environment (the process's own by default).
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/fvbook", isDirectory: true)
    }

    /// The path of a weights file in `directory` (the default cache when nil), which must exist.
    public static func weights(named fileName: String, in directory: URL? = nil) throws -> String {
        let path = (directory ?? self.directory()).appendingPathComponent(fileName).path
        guard FileManager.default.fileExists(atPath: path) else { throw MissingWeightsError(path: path) }
        return path
    }
}

/// Pretrained weights are not where they should be: the message names the path and the fix.
public struct MissingWeightsError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    /// The command that fetches the weights, for messages (tests' skip messages use it too).
    public static let setupCommand = "`make setup` (or `bash scripts/setup.sh`)"

    public init(path: String) { self.path = path }

    public var description: String {
        "pretrained weights not found at \(path); run \(Self.setupCommand) to fetch them, or set \(ModelCache.environmentVariable) to the folder that holds them"
    }
}
