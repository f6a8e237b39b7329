import Foundation
import Suggestions
import Tensors

/// A checkpoint's tensors by key, in the file's order: a PyTorch state dict or a safetensors file.
///
/// Loading dispatches on the file's first bytes: a zip archive (`torch.save` since PyTorch 1.6),
/// a pickle starting with torch's magic number (the legacy `torch.save` format), or a safetensors
/// header. Every tensor is materialized as a contiguous Float32 ``Tensor`` (non-contiguous views
/// such as a transposed weight are copied into row-major order; float16/bfloat16/float64 and integer
/// storages are converted). Malformed files throw ``CheckpointError``; no input makes the reader trap.
///
/// ```swift
/// let checkpoint = try Checkpoint(contentsOf: "efficientnet-lite0.pth")
/// let stem = try checkpoint.tensor("_conv_stem.weight", shape: [32, 3, 3, 3])
/// ```
public struct Checkpoint: Sendable {
    /// The file the tensors came from (or a label for an in-memory checkpoint), for messages.
    public let file: String
    /// Every key, in the order the file stores them.
    public private(set) var keys: [String]
    private var tensors: [String: Tensor]

    /// A checkpoint made in memory from (key, tensor) pairs: synthetic weights for tests and tools.
    /// Later duplicates of a key replace earlier ones.
    public init(file: String = "<memory>", entries: [(String, Tensor)]) {
        self.file = file
        keys = []
        tensors = [:]
        for (key, tensor) in entries {
            if tensors.updateValue(tensor, forKey: key) == nil { keys.append(key) }
        }
    }

    /// Reads the checkpoint at `path`, whichever supported format it is in.
    ///
    /// - Throws: ``CheckpointError/fileNotFound(_:)`` when there is no file, otherwise the reader's
    ///   error for a truncated, corrupt or unsupported file.
    public init(contentsOf path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError.fileNotFound(path)
        }
        guard !isDirectory.boolValue else { throw CheckpointError.notACheckpoint(file: path, "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CheckpointError.notACheckpoint(file: path, "cannot read it: \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), file: path)
    }

    /// Reads a checkpoint held in memory. `file` names it in error messages.
    public init(bytes: [UInt8], file: String) throws {
        let entries: [(String, Tensor)]
        switch CheckpointFormat(sniffing: bytes) {
        case .torchZip: entries = try TorchCheckpoint.readZip(bytes, file: file)
        case .torchLegacy: entries = try TorchCheckpoint.readLegacy(bytes, file: file)
        case .safetensors: entries = try Safetensors.read(bytes, file: file)
        case .unknown(let reason): throw CheckpointError.notACheckpoint(file: file, reason)
        }
        self.init(file: file, entries: entries)
    }

    /// The number of tensors.
    public var count: Int { keys.count }

    /// The tensor stored under `key`, or nil.
    public subscript(key: String) -> Tensor? { tensors[key] }

    /// The tensor stored under `key`, whatever its shape.
    /// - Throws: ``CheckpointError/missingKey(file:key:closest:)`` naming the closest existing key.
    public func tensor(_ key: String) throws -> Tensor {
        guard let tensor = tensors[key] else {
            throw CheckpointError.missingKey(file: file, key: key, closest: closestMatch(to: key, in: keys))
        }
        return tensor
    }

    /// The tensor stored under `key`, which must have exactly `shape`.
    /// - Throws: ``CheckpointError/missingKey(file:key:closest:)`` or
    ///   ``CheckpointError/shapeMismatch(file:key:expected:found:)``.
    public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        let tensor = try tensor(key)
        guard tensor.shape == shape else {
            throw CheckpointError.shapeMismatch(file: file, key: key, expected: shape, found: tensor.shape)
        }
        return tensor
    }
}

/// The container formats, told apart by their first bytes.
enum CheckpointFormat: Equatable {
    case torchZip, torchLegacy, safetensors
    case unknown(String)

    init(sniffing bytes: [UInt8]) {
        if bytes.isEmpty { self = .unknown("the file is empty"); return }
        if bytes.starts(with: [0x50, 0x4B]) { self = .torchZip; return }            // "PK"
        if bytes.starts(with: [0x80]) { self = .torchLegacy; return }                // a pickle's PROTO
        // safetensors: an 8-byte little-endian header length, then a JSON object.
        if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") { self = .safetensors; return }
        let head = bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
        self = .unknown("unrecognized format: first bytes \(head) are neither a zip, a torch pickle nor a safetensors header")
    }
}
