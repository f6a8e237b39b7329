import Foundation

/// The pretrained networks by name, as the article's `model_name` selects them: what
/// `FeatureVisualizer(modelName:)` and every `--model` option of the command line accept.
///
/// The EfficientNet-Lite weights come from the model cache that `make setup` fills; VGG16's are
/// never downloaded and must be given as a file.
///
/// ```swift
/// let judge = try ModelRegistry.load("efficientnet-lite2")
/// let vgg = try ModelRegistry.load("vgg16", weights: "vgg16-397923af.pth")
/// ```
public enum ModelRegistry {
    /// One selectable network.
    public struct Entry: Sendable {
        public let name: String
        /// The side length it was trained at.
        public let inputSize: Int
        /// True when no weights ship with the book (the caller must pass a file).
        public let needsWeightsFile: Bool
    }

    /// Every selectable network, the default first.
    public static let entries: [Entry] =
        EfficientNetLite.Variant.all.map { Entry(name: $0.name, inputSize: $0.inputSize, needsWeightsFile: false) }
        + [Entry(name: "vgg16", inputSize: 224, needsWeightsFile: true)]

    /// The names ``load(_:weights:cacheDirectory:)`` accepts.
    public static var names: [String] { entries.map(\.name) }

    /// The default network's name ("efficientnet-lite0").
    public static var defaultName: String { entries[0].name }

    /// The network called `name`, from `weights` when given, else from the model cache.
    /// - Throws: ``ModelError/unknownModel(_:valid:)`` listing the known names (with the closest),
    ///   ``ModelError/weightsRequired(model:)`` for VGG16 without `weights`, ``MissingWeightsError``
    ///   when the cache lacks the file, ``CheckpointError`` for a file that does not fit.
    public static func load(_ name: String, weights: String? = nil, cacheDirectory: URL? = nil) throws -> any Network {
        if let variant = EfficientNetLite.Variant.all.first(where: { $0.name == name }) {
            if let weights { return try EfficientNetLite.load(from: weights, variant: variant) }
            return try EfficientNetLite.pretrained(variant, cacheDirectory: cacheDirectory)
        }
        guard name == "vgg16" else { throw ModelError.unknownModel(name, valid: names) }
        guard let weights else { throw ModelError.weightsRequired(model: name) }
        return try VGG16.load(from: weights)
    }
}
