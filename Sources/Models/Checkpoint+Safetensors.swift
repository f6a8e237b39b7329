import Foundation
import Tensors

// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {…}}`,
// then the data, with offsets relative to the end of the header. Tensors are contiguous, row-major,
// little-endian.

enum Safetensors {
    /// The format's own cap on the header (100 MB), which also bounds what a hostile file can make us parse.
    static let maximumHeader = 100_000_000

    static func read(_ bytes: [UInt8], file: String) throws -> [(String, Tensor)] {
        var reader = ByteReader(bytes, file: file)
        let headerLength = try reader.u64("safetensors header length")
        guard headerLength <= maximumHeader else {
            throw CheckpointError.notACheckpoint(file: file, "safetensors header length \(headerLength) is implausible")
        }
        let headerRange = try reader.take(headerLength, "safetensors JSON header")
        let dataStart = reader.offset
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[headerRange]))
        } catch {
            throw CheckpointError.notACheckpoint(file: file, "safetensors header is not valid JSON")
        }
        guard let header = json as? [String: Any] else {
            throw CheckpointError.notACheckpoint(file: file, "safetensors header is not a JSON object")
        }

        var entries: [(key: String, begin: Int, tensor: Tensor)] = []
        for (key, value) in header where key != "__metadata__" {
            func bad(_ detail: String) -> CheckpointError {
                .notACheckpoint(file: file, "safetensors entry `\(key)`: \(detail)")
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shapeValues = info["shape"] as? [Any],
                  let offsetValues = info["data_offsets"] as? [Any], offsetValues.count == 2
            else { throw bad("needs dtype, shape and two data_offsets") }
            guard let type = ScalarType(safetensors: dtypeName) else {
                throw CheckpointError.unsupported(file: file, "safetensors dtype \(dtypeName) of `\(key)`")
            }
            let shape = try shapeValues.map { v -> Int in
                guard let n = integer(v), n >= 0 else { throw bad("shape \(shapeValues) is not a list of sizes") }
                return n
            }
            guard let begin = integer(offsetValues[0]), let end = integer(offsetValues[1]), 0 <= begin, begin <= end else {
                throw bad("data_offsets \(offsetValues) are not an increasing pair")
            }
            var count = 1
            for size in shape {
                let (c, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow, c <= TorchCheckpoint.maximumElements else { throw bad("shape \(shape) is too large") }
                count = c
            }
            guard end - begin == count * type.byteWidth else {
                throw bad("data_offsets span \(end - begin) bytes, shape \(shape) of \(dtypeName) needs \(count * type.byteWidth)")
            }
            guard end <= bytes.count - dataStart else {
                throw CheckpointError.truncated(
                    file: file, "`\(key)` ends at data byte \(end), the file has \(bytes.count - dataStart) data bytes")
            }
            let scalars = type.decode(bytes, start: dataStart + begin, count: count)
            entries.append((key, begin, Tensor(shape: shape, scalars: scalars)))
        }
        // JSON objects are unordered once parsed; the data's order is the file's order.
        entries.sort { ($0.begin, $0.key) < ($1.begin, $1.key) }
        return entries.map { ($0.key, $0.tensor) }
    }

    /// A JSON number that is an exact integer (JSONSerialization gives NSNumber).
    private static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let d = number.doubleValue
        guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return number.intValue
    }
}
