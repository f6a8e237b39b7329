import BookProtocol
import Foundation

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
