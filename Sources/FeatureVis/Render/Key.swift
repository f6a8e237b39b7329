import Tensors

// Keys: the exact, stable spelling of everything that decides a render's result. Floats are
// written in their shortest round-trip form (`Float.description`), so two values share a key
// only when they are bit-identical; strings are quoted and escaped.

/// A value that has an exact spelling in a key.
protocol KeyArgument {
    var keyText: String { get }
}

extension String: KeyArgument { var keyText: String { debugDescription } }
extension Int: KeyArgument { var keyText: String { description } }
extension UInt64: KeyArgument { var keyText: String { description } }
extension Float: KeyArgument { var keyText: String { description } }
extension Double: KeyArgument { var keyText: String { description } }
extension Bool: KeyArgument { var keyText: String { description } }

extension Optional: KeyArgument where Wrapped: KeyArgument {
    var keyText: String { map(\.keyText) ?? "nil" }
}

extension Array: KeyArgument where Element: KeyArgument {
    var keyText: String { "[" + map(\.keyText).joined(separator: ",") + "]" }
}

/// `function(a,b,…)` with each argument spelled exactly.
func keyCall(_ function: String, _ arguments: any KeyArgument...) -> String {
    "\(function)(\(arguments.map(\.keyText).joined(separator: ",")))"
}

/// A keyed part given as its finished key (an objective's or a transform's).
struct Keyed: KeyArgument {
    let keyText: String
    init(_ key: String) { keyText = key }
}

/// FNV-1a (64 bit) of the tensors' shapes and bit patterns, as 16 hex digits: the content of a
/// parameterization's starting point in its key.
func contentDigest(_ tensors: [Tensor]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            h = (h ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x0000_0100_0000_01B3
        }
    }
    for t in tensors {
        mix(UInt64(t.shape.count))
        for d in t.shape { mix(UInt64(d)) }
        for v in t.scalars { mix(UInt64(v.bitPattern)) }
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
