import Tensors

/// The element types a checkpoint's storages can hold, and their conversion to `Float`.
///
/// Models compute in Float32; other floating types are widened or narrowed, integer types
/// (`num_batches_tracked` is an int64 scalar) are converted exactly where they fit in a Float.
enum ScalarType: String, Sendable, CaseIterable {
    case float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool

    var byteWidth: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16, .int16: return 2
        case .int8, .uint8, .bool: return 1
        }
    }

    /// What each format calls each type: PyTorch's storage class and the safetensors dtype string.
    private static let formatNames: [(type: ScalarType, torchStorage: String, safetensors: String)] = [
        (.float32, "FloatStorage", "F32"), (.float16, "HalfStorage", "F16"), (.bfloat16, "BFloat16Storage", "BF16"),
        (.float64, "DoubleStorage", "F64"), (.int64, "LongStorage", "I64"), (.int32, "IntStorage", "I32"),
        (.int16, "ShortStorage", "I16"), (.int8, "CharStorage", "I8"), (.uint8, "ByteStorage", "U8"),
        (.bool, "BoolStorage", "BOOL"),
    ]

    /// The type of a PyTorch storage class name (`FloatStorage`), or nil for one we cannot convert.
    init?(torchStorage name: String) {
        guard let row = Self.formatNames.first(where: { $0.torchStorage == name }) else { return nil }
        self = row.type
    }

    /// The type of a safetensors dtype string (`F32`), or nil for one we cannot convert.
    init?(safetensors name: String) {
        guard let row = Self.formatNames.first(where: { $0.safetensors == name }) else { return nil }
        self = row.type
    }

    /// Decodes `count` little-endian elements starting at byte `start` of `bytes` into Floats.
    /// The caller guarantees `start + count * byteWidth <= bytes.count`.
    func decode(_ bytes: [UInt8], start: Int, count: Int) -> [Float] {
        precondition(start >= 0 && start + count * byteWidth <= bytes.count, "decode range outside buffer")
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress.map({ $0 + start }) else { return }
                switch self {
                case .float32:
                    // Little-endian hosts (x86-64, arm64) copy the bytes as they are.
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: (base + 4 * i).loadUnaligned(as: UInt32.self))) }
                case .float16:
                    for i in 0..<count { out[i] = floatFromHalf(UInt16(littleEndian: (base + 2 * i).loadUnaligned(as: UInt16.self))) }
                case .bfloat16:
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: (base + 2 * i).loadUnaligned(as: UInt16.self))) << 16) }
                case .float64:
                    for i in 0..<count { out[i] = Float(Double(bitPattern: UInt64(littleEndian: (base + 8 * i).loadUnaligned(as: UInt64.self)))) }
                case .int64:
                    for i in 0..<count { out[i] = Float(Int64(littleEndian: (base + 8 * i).loadUnaligned(as: Int64.self))) }
                case .int32:
                    for i in 0..<count { out[i] = Float(Int32(littleEndian: (base + 4 * i).loadUnaligned(as: Int32.self))) }
                case .int16:
                    for i in 0..<count { out[i] = Float(Int16(littleEndian: (base + 2 * i).loadUnaligned(as: Int16.self))) }
                case .int8:
                    for i in 0..<count { out[i] = Float(Int8(bitPattern: raw[start + i])) }
                case .uint8:
                    for i in 0..<count { out[i] = Float(raw[start + i]) }
                case .bool:
                    for i in 0..<count { out[i] = raw[start + i] == 0 ? 0 : 1 }
                }
            }
            initialized = count
        }
    }
}

/// IEEE 754 half precision to single precision, exact for every input (subnormals, ±∞, NaN).
/// Written out rather than using `Float16`, which is not available on every platform Swift targets.
func floatFromHalf(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exponent = Int(h >> 10) & 0x1F
    let mantissa = UInt32(h & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
}
