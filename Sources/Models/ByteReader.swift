import Tensors

/// A cursor over a byte buffer whose every read is bounds-checked and throws
/// ``CheckpointError/truncated(file:_:)`` instead of trapping: the foundation of the readers'
/// promise never to crash on a malformed file.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    /// The next byte to read.
    var offset: Int
    /// One past the last byte this reader may read.
    let end: Int

    init(_ bytes: [UInt8], file: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.file = file
        let range = range ?? 0..<bytes.count
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "reader range outside buffer")
        offset = range.lowerBound
        end = range.upperBound
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    /// The range of the next `count` bytes, consumed. `what` names the field for the error message.
    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> Range<Int> {
        guard count >= 0 else {
            throw CheckpointError.notACheckpoint(file: file, "negative length \(count) for \(what()) at offset \(offset)")
        }
        guard count <= remaining else {
            throw CheckpointError.truncated(
                file: file, "\(what()) needs \(count) bytes at offset \(offset), only \(remaining) left")
        }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func u8(_ what: @autoclosure () -> String) throws -> UInt8 {
        bytes[try take(1, what()).lowerBound]
    }

    /// An unsigned little-endian integer of `width` bytes (at most 8).
    mutating func uintLE(_ width: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        let range = try take(width, what())
        return bytes.uintLE(at: range.lowerBound, width: width)
    }

    mutating func u16(_ what: @autoclosure () -> String) throws -> Int { Int(try uintLE(2, what())) }
    mutating func u32(_ what: @autoclosure () -> String) throws -> Int { Int(try uintLE(4, what())) }

    /// An unsigned 64-bit little-endian count that must fit in `Int`.
    mutating func u64(_ what: @autoclosure () -> String) throws -> Int {
        let at = offset
        let value = try uintLE(8, what())
        guard value <= UInt64(Int.max) else {
            throw CheckpointError.notACheckpoint(file: file, "\(what()) at offset \(at) is implausibly large (\(value))")
        }
        return Int(value)
    }
}

extension Array where Element == UInt8 {
    /// Reads an unsigned little-endian integer; the caller has checked the bounds.
    func uintLE(at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(self[offset + i]) }
        return value
    }
}
