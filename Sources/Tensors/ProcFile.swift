import Foundation

/// A file under `/proc`, read whole. `String(contentsOfFile:)` stops after the first 4,000
/// bytes of such files (they report a size of 0), which cut `/proc/self/maps` short before the
/// mapping of the chapter library; a file handle reads to the end.
package enum ProcFile {
    /// The text of `path`, or nil when it cannot be read.
    package static func text(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of the first `name: value` line of `/proc/cpuinfo` (e.g. "model name"), or
    /// "unknown".
    package static func cpuInfoField(_ name: String) -> String {
        let line = (text("/proc/cpuinfo") ?? "").split(separator: "\n").first { $0.hasPrefix(name) }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}
