import RenderCache
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

/// The SHA-256 of the tensors' shapes and scalar bit patterns, as 64 hex digits: their exact
/// content in a key (a parameterization's starting point, a memoized measurement's images).
func contentDigest(_ tensors: [Tensor]) -> String {
    var hasher = SHA256()
    for tensor in tensors {
        let header = ([tensor.shape.count] + tensor.shape).map { Int64($0).littleEndian }
        header.withUnsafeBytes { hasher.update($0) }
        tensor.scalars.withUnsafeBytes { hasher.update($0) }
    }
    return SHA256.hex(hasher.finalize())
}
