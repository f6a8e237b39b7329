import Tensors

/// A pretrained image network whose intermediate layers can be read by name.
///
/// Layer names mirror PyTorch's `named_modules()` for the checkpoint's model (`stem`,
/// `_blocks.8`, `features.16`), so names carry over from the PyTorch world. Inputs are RGB images
/// in [0, 1], NCHW; each network applies its own preprocessing inside `forward`.
public protocol Network: AnyObject {
    /// A short name for logs and captions ("efficientnet-lite0").
    var name: String { get }
    /// The side length the network was trained at (224 for the ImageNet models here).
    var inputSize: Int { get }
    /// Every readable layer, in forward order.
    var layerNames: [String] { get }
    /// The number of channels a layer outputs. Throws ``ModelError/unknownLayer`` for an unknown name.
    func channels(of layer: String) throws -> Int
    /// Runs the network on `images` (RGB in [0, 1], NCHW), stopping after the deepest layer in
    /// `layers`, and returns those layers' activations. Throws for an unknown layer name.
    func forward(_ images: Variable, reading layers: Set<String>) throws -> [String: Variable]
    /// The ``Checkpoint/contentDigest()`` of the weights the network was built from, or nil when
    /// unknown (memoized renders key on it, and skip networks without one).
    var weightsDigest: String? { get }
}

extension Network {
    public var weightsDigest: String? { nil }
}

/// Errors about models and layer names: user input, so typed and descriptive.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownLayer(String, model: String, valid: [String])
    case channelOutOfRange(Int, layer: String, channels: Int)

    public var description: String {
        switch self {
        case let .unknownLayer(name, model, valid):
            let hint = closestMatch(to: name, in: valid).map { " — did you mean `\($0)`?" } ?? ""
            return "unknown layer `\(name)` in \(model)\(hint) Valid layers: \(valid.joined(separator: ", "))"
        case let .channelOutOfRange(channel, layer, channels):
            return "channel \(channel) is out of range for layer `\(layer)`: valid channels are 0…\(channels - 1)"
        }
    }
}

/// The candidate nearest to `name` by edit distance, if any is reasonably close.
public func closestMatch(to name: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(name, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, name.count / 2) ? best.0 : nil
}

/// Levenshtein distance between two strings (by Unicode scalars).
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous + (a[i - 1] == b[j - 1] ? 0 : 1)
            previous = row[j]
            row[j] = min(substitution, row[j] + 1, row[j - 1] + 1)
        }
    }
    return row[b.count]
}
