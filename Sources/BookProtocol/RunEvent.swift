import Foundation

/// One line of a chapter program's events file (``RunFolder/events``): what the chapter runtime
/// (`BookRuntime`) reports and the runner (`Notebook`) reads. This enum is the whole schema.
///
/// Each event is one JSON object on its own line, written with a single `write(2)`, so a crash
/// never loses an event already reported and a torn last line is the only damage a kill can do.
///
/// ```swift
/// let line = try RunEvent.begin(cell: 2, time: 1.7e9).jsonLine()   // {"begin":{"cell":2,"time":…}}\n
/// let events = RunEvent.decode(lines: data)                         // every complete line
/// ```
public enum RunEvent: Codable, Equatable, Sendable {
    /// The program started (before the first cell).
    case start(pid: Int, quick: Bool)
    /// Cell `cell` began, at wall-clock `time` (seconds since 1970: start-up is measured from it).
    case begin(cell: Int, time: Double)
    /// Cell `cell` ran to its end in `seconds`.
    case end(cell: Int, seconds: Double)
    /// `show` wrote the PNG `file` (or `show(chart:)` the SVG `file`) in the run folder for cell
    /// `cell`; images of one `show(grid:)` share a `group` and its `columns`.
    case image(cell: Int, file: String, caption: String, width: Int, height: Int, group: Int?, columns: Int?)
    /// `check` in cell `cell` at Markdown `line` of `file`.
    case check(cell: Int, passed: Bool, message: String, file: String, line: Int)
    /// A render in cell `cell` took optimization step `step` of `steps`; `objective` is its value.
    case renderProgress(cell: Int, step: Int, steps: Int, objective: Float)
    /// The program ran to its end (or its `should-fail` cell ended without failing).
    case finish

    /// The cell the event belongs to (nil for `start` and `finish`).
    public var cell: Int? {
        switch self {
        case .start, .finish: return nil
        case let .begin(cell, _), let .end(cell, _), let .image(cell, _, _, _, _, _, _),
             let .check(cell, _, _, _, _), let .renderProgress(cell, _, _, _):
            return cell
        }
    }

    /// The event as one JSON line, newline included.
    public func jsonLine() throws -> Data {
        var data = try Self.encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Decodes every complete line of `data`; a torn or unreadable line (the writer was killed)
    /// is skipped.
    public static func decode(lines data: Data) -> [RunEvent] {
        data.split(separator: 0x0A).compactMap { try? decoder.decode(RunEvent.self, from: Data($0)) }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()
}
