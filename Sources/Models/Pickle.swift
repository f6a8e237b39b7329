// A whitelist-only reader for the subset of Python's pickle that `torch.save` uses for a state
// dict (protocol 2). Like PyTorch's `weights_only` loader it never executes or trusts anything:
// each opcode outside the subset, and each global outside a short list of names, is an error that
// names it and its offset. Every read is bounds-checked, and containers may nest at most
// `Unpickler.maximumDepth` deep, so a hostile file cannot overflow the stack either.

/// A whitelisted Python callable or class a pickle may name with GLOBAL.
enum PickleGlobal: Equatable {
    case orderedDict                 // collections.OrderedDict
    case rebuildTensorV2             // torch._utils._rebuild_tensor_v2
    case rebuildParameter            // torch._utils._rebuild_parameter
    case storageType(String)         // torch.FloatStorage, torch.HalfStorage, …

    init?(module: String, name: String) {
        switch (module, name) {
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"): self = .rebuildTensorV2
        case ("torch._utils", "_rebuild_parameter"): self = .rebuildParameter
        case ("torch", _) where name.hasSuffix("Storage") && name.count > 7: self = .storageType(name)
        default: return nil
        }
    }
}

/// A reference to a PyTorch storage (a flat typed buffer), resolved by the container format.
struct StorageRef: Equatable {
    var typeName: String
    var key: String
    var count: Int
}

/// A strided view into a storage, as `_rebuild_tensor_v2` describes it (offset and strides in elements).
struct TensorRef: Equatable {
    var storage: StorageRef
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}

/// A mutable Python list or dict: a class, because pickles mutate containers after memoizing them.
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
}

final class PickleDict {
    /// Items in insertion order (Python dicts and OrderedDicts both keep it).
    var items: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    private var stringIndex: [String: Int] = [:]

    func set(_ key: PickleValue, _ value: PickleValue) {
        if case let .string(s) = key, let i = stringIndex[s] {
            items[i].value = value
            return
        }
        if case let .string(s) = key { stringIndex[s] = items.count }
        items.append((key, value))
    }
}

/// A value of the pickle subset.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// A LONG1 integer too wide for `Int` (torch's 80-bit magic number): little-endian two's complement.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    case global(PickleGlobal)
    case storage(StorageRef)
    case tensor(TensorRef)

    /// How deeply containers nest inside this value (0 for scalars).
    var depth: Int {
        switch self {
        case let .tuple(_, depth): return depth
        case let .list(l): return l.depth
        case let .dict(d): return d.depth
        default: return 0
        }
    }

    /// A short name of the value's kind for error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global: return "class"
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }

    var intValue: Int? { if case let .int(i) = self { return i } else { return nil } }
    var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
}

/// Reads one pickle from a ``ByteReader`` and leaves the reader after its STOP opcode.
struct Unpickler {
    /// Deeper nesting than this is an error: a state dict nests 3 or 4 deep, and deep chains of
    /// containers would otherwise recurse on release.
    static let maximumDepth = 64

    var reader: ByteReader
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Every mutable container made, so ``breakCycles()`` can empty them: a hostile pickle can
    /// append a list to itself, and reference cycles would leak.
    private(set) var containers: [AnyObject] = []

    init(_ reader: ByteReader) { self.reader = reader }

    private var file: String { reader.file }

    private func corrupt(_ detail: String, at offset: Int) -> CheckpointError {
        .notACheckpoint(file: file, "pickle: \(detail) at offset \(offset)")
    }

    /// Empties every list and dict this unpickler made. Call once the result has been converted.
    mutating func breakCycles() {
        for case let list as PickleList in containers { list.items = [] }
        for case let dict as PickleDict in containers { dict.items = [] }
        containers = []
        memo = [:]
        stack = []
    }

    private mutating func pop(_ op: String, at offset: Int) throws -> PickleValue {
        guard let value = stack.popLast() else { throw corrupt("\(op) on an empty stack", at: offset) }
        if let mark = marks.last, stack.count < mark { throw corrupt("\(op) crossed a MARK", at: offset) }
        return value
    }

    /// The value on top of the stack, which must lie above the innermost MARK.
    private func top(_ op: String, at offset: Int) throws -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else {
            throw corrupt("\(op) with nothing on the stack", at: offset)
        }
        return value
    }

    private mutating func popToMark(_ op: String, at offset: Int) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw corrupt("\(op) without a MARK", at: offset) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private func checkedDepth(_ depth: Int, at offset: Int) throws -> Int {
        guard depth <= Self.maximumDepth else {
            throw CheckpointError.unsupported(
                file: file, "pickle: containers nest deeper than \(Self.maximumDepth) at offset \(offset)")
        }
        return depth
    }

    private mutating func makeTuple(_ items: [PickleValue], at offset: Int) throws -> PickleValue {
        let depth = try checkedDepth(1 + (items.map(\.depth).max() ?? 0), at: offset)
        return .tuple(items, depth: depth)
    }

    private mutating func newList() -> PickleList {
        let list = PickleList()
        containers.append(list)
        return list
    }

    private mutating func newDict() -> PickleDict {
        let dict = PickleDict()
        containers.append(dict)
        return dict
    }

    private mutating func string(length: Int, at offset: Int) throws -> String {
        let range = try reader.take(length, "string")
        guard let s = String(validating: reader.bytes[range], as: UTF8.self) else {
            throw corrupt("string is not valid UTF-8", at: offset)
        }
        return s
    }

    /// A newline-terminated ASCII line (GLOBAL's module and name), at most 256 bytes.
    private mutating func line(at offset: Int) throws -> String {
        var bytes: [UInt8] = []
        while true {
            let b = try reader.u8("GLOBAL name")
            if b == 0x0A { break }
            guard bytes.count < 256, b >= 0x20, b < 0x7F else { throw corrupt("malformed GLOBAL name", at: offset) }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func memoize(_ index: Int, at offset: Int) throws {
        memo[index] = try top("PUT", at: offset)
    }

    private mutating func recall(_ index: Int, at offset: Int) throws {
        guard let value = memo[index] else { throw corrupt("GET of memo slot \(index), which was never stored", at: offset) }
        stack.append(value)
    }

    private mutating func setItems(_ pairs: [PickleValue], into target: PickleValue, at offset: Int) throws {
        guard case let .dict(dict) = target else { throw corrupt("SETITEM on a \(target.kind), not a dict", at: offset) }
        guard pairs.count % 2 == 0 else { throw corrupt("SETITEMS with an odd number of items", at: offset) }
        var i = 0
        while i < pairs.count {
            dict.depth = try checkedDepth(max(dict.depth, 1 + max(pairs[i].depth, pairs[i + 1].depth)), at: offset)
            dict.set(pairs[i], pairs[i + 1])
            i += 2
        }
    }

    private mutating func append(_ items: [PickleValue], to target: PickleValue, at offset: Int) throws {
        guard case let .list(list) = target else { throw corrupt("APPEND on a \(target.kind), not a list", at: offset) }
        for item in items {
            list.depth = try checkedDepth(max(list.depth, 1 + item.depth), at: offset)
            list.items.append(item)
        }
    }

    /// Reads opcodes until STOP and returns the pickled value.
    ///
    /// On an error the containers made so far are emptied (``breakCycles()``) before it is
    /// thrown: a hostile pickle can build a cycle and then fail, and nobody else could break it.
    mutating func load() throws -> PickleValue {
        do {
            return try loadValue()
        } catch {
            breakCycles()
            throw error
        }
    }

    private mutating func loadValue() throws -> PickleValue {
        while true {
            let offset = reader.offset
            let op = try reader.u8("pickle opcode")
            switch op {
            case 0x80:  // PROTO
                let version = try reader.u8("protocol version")
                guard (2...5).contains(version) else {
                    throw CheckpointError.unsupported(file: file, "pickle protocol \(version) at offset \(offset)")
                }
            case 0x2E:  // STOP
                let value = try pop("STOP", at: offset)
                guard stack.isEmpty, marks.isEmpty else { throw corrupt("STOP with values left on the stack", at: offset) }
                return value
            case 0x7D: stack.append(.dict(newDict()))         // EMPTY_DICT
            case 0x5D: stack.append(.list(newList()))         // EMPTY_LIST
            case 0x29: stack.append(.tuple([], depth: 1))     // EMPTY_TUPLE
            case 0x28: marks.append(stack.count)              // MARK
            case 0x4E: stack.append(.none)                    // NONE
            case 0x88: stack.append(.bool(true))              // NEWTRUE
            case 0x89: stack.append(.bool(false))             // NEWFALSE
            case 0x58:  // BINUNICODE
                let length = try reader.u32("BINUNICODE length")
                stack.append(.string(try string(length: length, at: offset)))
            case 0x8C:  // SHORT_BINUNICODE
                let length = Int(try reader.u8("SHORT_BINUNICODE length"))
                stack.append(.string(try string(length: length, at: offset)))
            case 0x71: try memoize(Int(try reader.u8("BINPUT index")), at: offset)
            case 0x72: try memoize(try reader.u32("LONG_BINPUT index"), at: offset)
            case 0x68: try recall(Int(try reader.u8("BINGET index")), at: offset)
            case 0x6A: try recall(try reader.u32("LONG_BINGET index"), at: offset)
            case 0x4A:  // BININT: signed 32-bit
                stack.append(.int(Int(Int32(truncatingIfNeeded: try reader.uintLE(4, "BININT")))))
            case 0x4B: stack.append(.int(Int(try reader.u8("BININT1"))))
            case 0x4D: stack.append(.int(try reader.u16("BININT2")))
            case 0x8A:  // LONG1: n bytes of little-endian two's complement
                let n = Int(try reader.u8("LONG1 length"))
                let range = try reader.take(n, "LONG1 value")
                let bytes = Array(reader.bytes[range])
                if n == 0 {
                    stack.append(.int(0))
                } else if n <= 8 {
                    var value = reader.bytes.uintLE(at: range.lowerBound, width: n)
                    if n < 8, bytes[n - 1] & 0x80 != 0 { value |= ~0 << UInt64(8 * n) }  // sign-extend
                    stack.append(.int(Int(Int64(bitPattern: value))))
                } else {
                    stack.append(.bigInt(bytes))
                }
            case 0x47:  // BINFLOAT: big-endian double
                let range = try reader.take(8, "BINFLOAT")
                var bits: UInt64 = 0
                for i in range { bits = bits << 8 | UInt64(reader.bytes[i]) }
                stack.append(.float(Double(bitPattern: bits)))
            case 0x74:  // TUPLE
                stack.append(try makeTuple(try popToMark("TUPLE", at: offset), at: offset))
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let n = Int(op - 0x84)
                var items: [PickleValue] = []
                for _ in 0..<n { items.insert(try pop("TUPLE\(n)", at: offset), at: 0) }
                stack.append(try makeTuple(items, at: offset))
            case 0x73:  // SETITEM
                let value = try pop("SETITEM", at: offset)
                let key = try pop("SETITEM", at: offset)
                let target = try top("SETITEM", at: offset)
                try setItems([key, value], into: target, at: offset)
            case 0x75:  // SETITEMS
                let pairs = try popToMark("SETITEMS", at: offset)
                let target = try top("SETITEMS", at: offset)
                try setItems(pairs, into: target, at: offset)
            case 0x61:  // APPEND
                let item = try pop("APPEND", at: offset)
                let target = try top("APPEND", at: offset)
                try append([item], to: target, at: offset)
            case 0x65:  // APPENDS
                let items = try popToMark("APPENDS", at: offset)
                let target = try top("APPENDS", at: offset)
                try append(items, to: target, at: offset)
            case 0x63:  // GLOBAL
                let module = try line(at: offset)
                let name = try line(at: offset)
                guard let global = PickleGlobal(module: module, name: name) else {
                    throw CheckpointError.unsupported(
                        file: file, "pickle global `\(module).\(name)` at offset \(offset) is not allowed in a weights-only state dict")
                }
                stack.append(.global(global))
            case 0x52:  // REDUCE
                let args = try pop("REDUCE", at: offset)
                let callable = try pop("REDUCE", at: offset)
                stack.append(try reduce(callable, args, at: offset))
            case 0x62:  // BUILD: only OrderedDict's attribute state (`_metadata`), which we drop
                _ = try pop("BUILD", at: offset)
                let target = try top("BUILD", at: offset)
                guard case .dict = target else { throw corrupt("BUILD on a \(target.kind), not an OrderedDict", at: offset) }
            case 0x51:  // BINPERSID
                let pid = try pop("BINPERSID", at: offset)
                stack.append(.storage(try storage(pid, at: offset)))
            default:
                let printable = (0x21..<0x7F).contains(op) ? " '\(Character(UnicodeScalar(op)))'" : ""
                throw CheckpointError.unsupported(
                    file: file,
                    "pickle opcode 0x\(String(op, radix: 16, uppercase: true))\(printable) at offset \(offset) is outside the weights-only subset")
            }
        }
    }

    /// A persistent id: `("storage", torch.XStorage, key, location, count[, view metadata None])`.
    private func storage(_ pid: PickleValue, at offset: Int) throws -> StorageRef {
        guard case let .tuple(items, _) = pid, items.count == 5 || items.count == 6,
              items[0].stringValue == "storage",
              case let .global(.storageType(typeName)) = items[1],
              let key = items[2].stringValue,
              items[3].stringValue != nil,
              let count = items[4].intValue, count >= 0
        else { throw corrupt("persistent id is not a storage reference", at: offset) }
        if items.count == 6, case .none = items[5] {} else if items.count == 6 {
            throw CheckpointError.unsupported(file: file, "storage views (pre-0.4 PyTorch) at offset \(offset)")
        }
        return StorageRef(typeName: typeName, key: key, count: count)
    }

    private mutating func reduce(_ callable: PickleValue, _ args: PickleValue, at offset: Int) throws -> PickleValue {
        guard case let .global(global) = callable else { throw corrupt("REDUCE of a \(callable.kind), not a callable", at: offset) }
        guard case let .tuple(items, _) = args else { throw corrupt("REDUCE arguments are a \(args.kind), not a tuple", at: offset) }
        switch global {
        case .orderedDict:
            guard items.isEmpty else { throw corrupt("OrderedDict with arguments", at: offset) }
            return .dict(newDict())
        case .rebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard items.count >= 4, case let .storage(storage) = items[0], let storageOffset = items[1].intValue,
                  let shape = intTuple(items[2]), let strides = intTuple(items[3]), shape.count == strides.count
            else { throw corrupt("malformed _rebuild_tensor_v2 arguments", at: offset) }
            return .tensor(TensorRef(storage: storage, offset: storageOffset, shape: shape, strides: strides))
        case .rebuildParameter:
            // (data, requires_grad, backward_hooks): a Parameter is its tensor here.
            guard let first = items.first, case .tensor = first else { throw corrupt("malformed _rebuild_parameter arguments", at: offset) }
            return first
        case let .storageType(name):
            throw CheckpointError.unsupported(file: file, "constructing torch.\(name) at offset \(offset)")
        }
    }

    private func intTuple(_ value: PickleValue) -> [Int]? {
        guard case let .tuple(items, _) = value else { return nil }
        let ints = items.compactMap(\.intValue)
        return ints.count == items.count ? ints : nil
    }
}
