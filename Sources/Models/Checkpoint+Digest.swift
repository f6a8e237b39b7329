import Foundation
import RenderCache
import Tensors

extension Checkpoint {
    /// The SHA-256 of the weights: every key in sorted order with its shape and the bit patterns
    /// of its scalars. It depends on the numbers only, not on the file format (a `.pth` and a
    /// safetensors file of the same weights agree), and any changed scalar changes it.
    ///
    /// ```swift
    /// let digest = try Checkpoint(contentsOf: path).contentDigest()   // 64 hex digits
    /// ```
    public func contentDigest() -> String {
        var hasher = SHA256()
        for key in keys.sorted() {
            guard let tensor = self[key] else { continue }
            hasher.update(Array(key.utf8) + [0])
            let header = ([tensor.shape.count] + tensor.shape).map { Int64($0).littleEndian }
            header.withUnsafeBytes { hasher.update($0) }
            tensor.scalars.withUnsafeBytes { hasher.update($0) }
        }
        return SHA256.hex(hasher.finalize())
    }
}
