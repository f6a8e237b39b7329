import Tensors

// The two `torch.save` formats. Both pickle the state dict with tensors as
// `_rebuild_tensor_v2(storage, offset, shape, strides, …)` and storages as persistent ids; they
// differ in where the storages' bytes live.
//
// * Zip (PyTorch ≥ 1.6): `<name>/data.pkl` holds the pickle, `<name>/data/<key>` each storage's raw
//   little-endian bytes, `<name>/byteorder` says "little".
// * Legacy: five things back to back — a pickled magic number, the protocol version (1001), a
//   pickled dict of system info, the main pickle, a pickled list of storage keys — then for each key
//   in that order an 8-byte little-endian element count and the raw little-endian elements.

enum TorchCheckpoint {
    /// The magic number `torch.save` pickles first in the legacy format, as LONG1 bytes.
    static let legacyMagic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

    /// The largest tensor we materialize (elements): 1 GiB of floats, far above any image model's layer.
    static let maximumElements = 1 << 28

    static func readZip(_ bytes: [UInt8], file: String) throws -> [(String, Tensor)] {
        let zip = try StoredZip(bytes, file: file)
        guard let pickleName = zip.names.first(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }),
              let pickleRange = try zip.range(of: pickleName)
        else { throw CheckpointError.notACheckpoint(file: file, "zip archive has no data.pkl: not a torch.save file") }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if let orderRange = try zip.range(of: prefix + "byteorder") {
            let order = String(decoding: bytes[orderRange], as: UTF8.self)
            guard order == "little" else {
                throw CheckpointError.unsupported(file: file, "byte order `\(order)`; only little-endian checkpoints are read")
            }
        }
        var unpickler = Unpickler(ByteReader(bytes, file: file, range: pickleRange))
        defer { unpickler.breakCycles() }
        let refs = try stateDict(from: try unpickler.load(), file: file)
        return try materialize(refs, in: bytes, file: file) { storage in
            guard let range = try zip.range(of: prefix + "data/" + storage.key) else {
                throw CheckpointError.notACheckpoint(file: file, "storage `\(storage.key)` has no zip entry \(prefix)data/\(storage.key)")
            }
            return range
        }
    }

    static func readLegacy(_ bytes: [UInt8], file: String) throws -> [(String, Tensor)] {
        var reader = ByteReader(bytes, file: file)
        func next() throws -> (PickleValue, Unpickler) {
            var unpickler = Unpickler(reader)
            let value = try unpickler.load()
            reader.offset = unpickler.reader.offset
            return (value, unpickler)
        }
        var magic = try next()
        magic.1.breakCycles()
        guard case let .bigInt(digits) = magic.0, digits == legacyMagic else {
            throw CheckpointError.notACheckpoint(file: file, "a pickle, but without torch.save's magic number")
        }
        var version = try next()
        version.1.breakCycles()
        guard version.0.intValue == 1001 else {
            throw CheckpointError.unsupported(file: file, "legacy protocol version \(version.0.intValue.map(String.init) ?? version.0.kind), expected 1001")
        }
        var info = try next()
        defer { info.1.breakCycles() }
        if case let .dict(dict) = info.0,
           let little = dict.items.first(where: { $0.key.stringValue == "little_endian" })?.value,
           case .bool(false) = little {
            throw CheckpointError.unsupported(file: file, "big-endian checkpoint; only little-endian checkpoints are read")
        }
        var main = try next()
        defer { main.1.breakCycles() }
        let refs = try stateDict(from: main.0, file: file)
        var keyList = try next()
        defer { keyList.1.breakCycles() }
        guard case let .list(list) = keyList.0 else {
            throw CheckpointError.notACheckpoint(file: file, "legacy storage key list is a \(keyList.0.kind)")
        }

        // Each storage's element width comes from the tensors that reference it.
        var referenced: [String: StorageRef] = [:]
        for (_, ref) in refs { referenced[ref.storage.key] = ref.storage }
        var ranges: [String: Range<Int>] = [:]
        for item in list.items {
            guard let key = item.stringValue else {
                throw CheckpointError.notACheckpoint(file: file, "legacy storage key is a \(item.kind), not a str")
            }
            guard let storage = referenced[key] else {
                throw CheckpointError.notACheckpoint(file: file, "legacy storage `\(key)` is used by no tensor")
            }
            let width = try elementType(of: storage, file: file).byteWidth
            let countOffset = reader.offset
            let count = try reader.u64("element count of storage `\(key)`")
            guard count == storage.count else {
                throw CheckpointError.notACheckpoint(
                    file: file, "storage `\(key)` has \(count) elements at offset \(countOffset), its tensors say \(storage.count)")
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow else { throw CheckpointError.notACheckpoint(file: file, "storage `\(key)` size overflows") }
            ranges[key] = try reader.take(byteCount, "data of storage `\(key)` (\(count) elements)")
        }
        return try materialize(refs, in: bytes, file: file) { storage in
            guard let range = ranges[storage.key] else {
                throw CheckpointError.notACheckpoint(file: file, "storage `\(storage.key)` is missing from the legacy key list")
            }
            return range
        }
    }

    /// The (key, tensor reference) pairs of a pickled state dict. Accepts a dict of tensors, or a
    /// training checkpoint that wraps one under `state_dict`, `model_state_dict` or `model`.
    /// Entries whose values are not tensors (a wrapper's `epoch`, say) are skipped.
    static func stateDict(from root: PickleValue, file: String) throws -> [(String, TensorRef)] {
        guard case let .dict(dict) = root else {
            throw CheckpointError.notACheckpoint(file: file, "the pickled object is a \(root.kind), not a state dict")
        }
        var entries: [(String, TensorRef)] = []
        for (key, value) in dict.items {
            guard case let .tensor(ref) = value else { continue }
            guard let name = key.stringValue else {
                throw CheckpointError.notACheckpoint(file: file, "a state dict key is a \(key.kind), not a str")
            }
            entries.append((name, ref))
        }
        if entries.isEmpty {
            for wrapper in ["state_dict", "model_state_dict", "model"] {
                if let inner = dict.items.first(where: { $0.key.stringValue == wrapper })?.value, case .dict = inner {
                    return try stateDict(from: inner, file: file)
                }
            }
            throw CheckpointError.notACheckpoint(file: file, "the pickled dict holds no tensors")
        }
        return entries
    }

    static func elementType(of storage: StorageRef, file: String) throws -> ScalarType {
        guard let type = ScalarType(torchStorage: storage.typeName) else {
            throw CheckpointError.unsupported(file: file, "storage type torch.\(storage.typeName)")
        }
        return type
    }

    /// Decodes each storage once (shared storages are shared) and copies every tensor's view out of it.
    /// The storages' bytes all live in `buffer`; `bytesOf` gives each one's range within it.
    static func materialize(_ refs: [(String, TensorRef)], in buffer: [UInt8], file: String,
                            bytesOf: (StorageRef) throws -> Range<Int>) throws -> [(String, Tensor)] {
        var decoded: [String: (type: String, scalars: [Float])] = [:]
        var result: [(String, Tensor)] = []
        // Views with zero strides repeat their storage, so a file of a few hundred bytes could ask
        // for gigabytes; real checkpoints hold about as many values as their bytes allow.
        let budget = Swift.max(1 << 20, buffer.count * 16)
        var materialized = 0
        for (key, ref) in refs {
            let count = ref.shape.reduce(into: 1) { product, size in
                let (p, overflow) = product.multipliedReportingOverflow(by: Swift.max(size, 0))
                product = overflow ? Int.max : p
            }
            materialized = count > budget ? Int.max : materialized + count
            guard materialized <= budget else {
                throw CheckpointError.notACheckpoint(
                    file: file, "tensor `\(key)` of shape \(ref.shape) would expand the file's \(buffer.count) bytes past \(budget) values")
            }
            let storage = ref.storage
            if let seen = decoded[storage.key], seen.type != storage.typeName {
                throw CheckpointError.notACheckpoint(
                    file: file, "storage `\(storage.key)` is both torch.\(seen.type) and torch.\(storage.typeName)")
            }
            if decoded[storage.key] == nil {
                let type = try elementType(of: storage, file: file)
                let range = try bytesOf(storage)
                let (needed, overflow) = storage.count.multipliedReportingOverflow(by: type.byteWidth)
                guard !overflow, needed <= range.count else {
                    throw CheckpointError.truncated(
                        file: file, "storage `\(storage.key)` needs \(storage.count) × \(type.byteWidth) bytes, has \(range.count)")
                }
                decoded[storage.key] = (storage.typeName, type.decode(buffer, start: range.lowerBound, count: storage.count))
            }
            result.append((key, try view(ref, of: decoded[storage.key]!.scalars, key: key, file: file)))
        }
        return result
    }

    /// Copies the strided view `ref` out of a storage's scalars into a contiguous tensor.
    static func view(_ ref: TensorRef, of scalars: [Float], key: String, file: String) throws -> Tensor {
        func bad(_ detail: String) -> CheckpointError {
            .notACheckpoint(file: file, "tensor `\(key)`: \(detail)")
        }
        guard ref.offset >= 0, ref.shape.allSatisfy({ $0 >= 0 }), ref.strides.allSatisfy({ $0 >= 0 }) else {
            throw bad("negative offset, size or stride (offset \(ref.offset), shape \(ref.shape), strides \(ref.strides))")
        }
        var count = 1
        var last = ref.offset  // the highest element index the view reads
        for (size, stride) in zip(ref.shape, ref.strides) {
            let (c, o1) = count.multipliedReportingOverflow(by: size)
            guard !o1, c <= maximumElements else { throw bad("shape \(ref.shape) is too large") }
            count = c
            if size > 0 {
                let (reach, o2) = (size - 1).multipliedReportingOverflow(by: stride)
                let (sum, o3) = last.addingReportingOverflow(reach)
                guard !o2, !o3 else { throw bad("strides \(ref.strides) overflow") }
                last = sum
            }
        }
        if count == 0 { return Tensor(shape: ref.shape, scalars: []) }
        guard last < scalars.count else {
            throw bad("view (offset \(ref.offset), shape \(ref.shape), strides \(ref.strides)) reaches element \(last) of a storage of \(scalars.count)")
        }
        // Contiguous views are one slice copy.
        var contiguous = [Int](repeating: 1, count: ref.shape.count)
        for axis in stride(from: ref.shape.count - 2, through: 0, by: -1) {
            contiguous[axis] = contiguous[axis + 1] * ref.shape[axis + 1]
        }
        let isContiguous = zip(zip(ref.shape, ref.strides), contiguous).allSatisfy { $0.0.0 <= 1 || $0.0.1 == $0.1 }
        if isContiguous {
            return Tensor(shape: ref.shape, scalars: Array(scalars[ref.offset..<(ref.offset + count)]))
        }
        // General case: walk the index like an odometer, last axis fastest.
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: ref.shape.count)
        var source = ref.offset
        for i in 0..<count {
            out[i] = scalars[source]
            var axis = ref.shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                source += ref.strides[axis]
                if index[axis] < ref.shape[axis] { break }
                source -= ref.strides[axis] * ref.shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: ref.shape, scalars: out)
    }
}
