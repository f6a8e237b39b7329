import Suggestions
import Tensors

/// A pretrained image network whose intermediate layers can be read by name.
///
/// Layer names mirror PyTorch's `named_modules()` for the checkpoint's model (`stem`,
/// `_blocks.8`, `features.16`), so names carry over from the PyTorch world. Inputs are RGB images
/// in [0, 1], NCHW; each network applies its own preprocessing inside `forward`.
///
/// A name is looked up once, by ``layer(_:)``, into a ``LayerReference``; forward passes then read
/// layers by reference. The name-based ``forward(_:reading:)-(_,Set<String>)`` is the same pass
/// for callers that hold names.
///
/// ```swift
/// let block = try model.layer("_blocks.8")                 // throws, with "did you mean"
/// let a = model.forward(tape.constant(image), reading: [block])[block]!
/// ```
public protocol Network: AnyObject {
    /// A short name for logs and captions ("efficientnet-lite0").
    var name: String { get }
    /// The side length the network was trained at (224 for the ImageNet models here).
    var inputSize: Int { get }
    /// Every readable layer, in forward order: `layers[i].index == i`.
    var layers: [LayerReference] { get }
    /// Runs the network on `images` (RGB in [0, 1], NCHW), stopping after the deepest of `layers`
    /// (which must be this network's), and returns those layers' activations.
    func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable]
    /// The ``Checkpoint/contentDigest()`` of the weights the network was built from, or nil when
    /// unknown (memoized renders key on it, and skip networks without one).
    var weightsDigest: String? { get }
}

/// One readable layer of a network, resolved from its name once: its name, its position in
/// forward order and the number of channels it outputs.
public struct LayerReference: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// Position in the network's forward order (its index in ``Network/layers``).
    public let index: Int
    public let channels: Int

    public init(name: String, index: Int, channels: Int) {
        self.name = name
        self.index = index
        self.channels = channels
    }

    public var description: String { name }
}

extension Network {
    public var weightsDigest: String? { nil }

    /// Every readable layer's name, in forward order.
    public var layerNames: [String] { layers.map(\.name) }

    /// The layer called `name`.
    /// - Throws: ``ModelError/unknownLayer(_:model:valid:)`` naming the closest valid name.
    public func layer(_ name: String) throws -> LayerReference {
        guard let layer = layers.first(where: { $0.name == name }) else {
            throw ModelError.unknownLayer(name, model: self.name, valid: layerNames)
        }
        return layer
    }

    /// The number of channels a layer outputs. Throws ``ModelError/unknownLayer`` for an unknown name.
    public func channels(of layer: String) throws -> Int { try self.layer(layer).channels }

    /// Runs the network on `images`, stopping after the deepest layer in `names`, and returns
    /// those layers' activations by name. Throws for an unknown layer name.
    public func forward(_ images: Variable, reading names: Set<String>) throws -> [String: Variable] {
        let wanted = try names.map { try layer($0) }
        var byName: [String: Variable] = [:]
        for (layer, value) in forward(images, reading: wanted) { byName[layer.name] = value }
        return byName
    }
}

/// Errors about models and layer names: user input, so typed and descriptive.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownLayer(String, model: String, valid: [String])
    case channelOutOfRange(Int, layer: String, channels: Int)
    /// A model name ``ModelRegistry`` does not know.
    case unknownModel(String, valid: [String])
    /// A model whose weights do not ship with the book, asked for without a weights file.
    case weightsRequired(model: String)

    public var description: String {
        switch self {
        case let .unknownLayer(name, model, valid):
            return "unknown layer `\(name)` in \(model)\(didYouMean(name, in: valid)) Valid layers: \(valid.joined(separator: ", "))"
        case let .channelOutOfRange(channel, layer, channels):
            return "channel \(channel) is out of range for layer `\(layer)`: valid channels are 0…\(channels - 1)"
        case let .unknownModel(name, valid):
            return "unknown model `\(name)`\(didYouMean(name, in: valid)) Models: \(valid.joined(separator: ", "))"
        case let .weightsRequired(model):
            return "\(model) needs a weights file (--weights PATH, a torchvision \(model) state dict); none ships with the book"
        }
    }
}
