import Foundation

/// One line of a chapter program's `events.jsonl` (written by BookRuntime's `Session`).
///
/// `start` · `begin` (cell, time) · `end` (cell, seconds) · `image` (cell, file, caption, width, height,
/// group?, columns?) · `check` (cell, passed, message, line) · `progress` (cell, step, steps: a
/// render's optimization step) · `finish`.
struct RunEvent: Decodable, Equatable {
    var event: String
    var cell: Int?
    var seconds: Double?
    var file: String?
    var caption: String?
    var width: Int?
    var height: Int?
    var group: Int?
    var columns: Int?
    var passed: Bool?
    var message: String?
    var line: Int?
    var step: Int?
    var steps: Int?
    /// Wall-clock time (seconds since 1970) of `begin` events: start-up time is measured from it.
    var time: Double?

    /// Decodes every complete line of `data`; a torn last line (the writer was killed) is ignored.
    static func decode(lines data: Data) -> [RunEvent] {
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(RunEvent.self, from: Data($0)) }
    }
}

/// Reads a growing events file from where it stopped last time (for live progress).
struct EventTail {
    let url: URL
    private var offset: UInt64 = 0
    private var partial = Data()

    init(url: URL) { self.url = url }

    mutating func next() -> [RunEvent] {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        let data = handle.readDataToEndOfFile()
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: 0x0A) else { return [] }
        let complete = partial[partial.startIndex...lastNewline]
        partial = Data(partial[(lastNewline + 1)...])
        return RunEvent.decode(lines: Data(complete))
    }
}
