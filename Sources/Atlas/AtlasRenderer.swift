import FeatureVis
import Foundation
import Models
import Tensors

/// One finished channel: its visualization, its metrics and its strongest natural patches.
public struct RenderedChannel: Sendable {
    public let layer: String
    public let channel: Int
    /// `[1, 3, S, S]` in [0, 1].
    public let image: Tensor
    public let metrics: QualityMetrics
    public let patches: [NaturalPatch]
}

/// Renders an atlas batch: image i of the batch maximizes channel i, all optimized together.
///
/// Everything random flows from seeds of the channel alone: each image's starting parameters
/// from `(layer, channel, recipe.seed)`, the batch's transforms from its first channel. Since a
/// batch's members are fixed by the recipe (``AtlasPlan``), a channel renders to the same bits in
/// whichever shard, process or run it lands. Metrics and patches are computed per image.
///
/// ```swift
/// let renderer = AtlasRenderer(model: try EfficientNetLite0.pretrained(), recipe: .standard,
///                              photosDirectory: "data/photos")
/// let channels = try renderer.render(AtlasBatch(layer: "_blocks.3", channels: 0..<8))
/// ```
public final class AtlasRenderer {
    public let model: Network
    public let recipe: AtlasRecipe
    private let visualizer: FeatureVisualizer
    private let photos: PhotoPatches?

    /// - Parameter photosDirectory: `.png` photos for the activation ratio and the natural
    ///   patches (nil: neither).
    public init(model: Network, recipe: AtlasRecipe, photosDirectory: String?) throws {
        try recipe.validate()
        self.model = model
        self.recipe = recipe
        visualizer = FeatureVisualizer(model: model, photosDirectory: photosDirectory)
        photos = try photosDirectory.map { try PhotoPatches(network: model, directory: $0) }
    }

    /// Renders `batch` and measures each of its channels.
    /// - Throws: the model's errors for an unknown layer or channel,
    ///   ``FeatureVisError/nonFinite(what:step:objective:)`` if the optimization diverges.
    public func render(_ batch: AtlasBatch) throws -> [RenderedChannel] {
        let channels = try model.channels(of: batch.layer)
        guard batch.channels.lowerBound >= 0, batch.channels.upperBound <= channels else {
            throw ModelError.channelOutOfRange(batch.channels.upperBound - 1, layer: batch.layer, channels: channels)
        }
        let starts = batch.channels.map { ImageParameterization.fourier(size: recipe.size, seed: Self.seed(batch.layer, $0, recipe.seed)) }
        var parameterization = ImageParameterization.fourier(size: recipe.size, batch: batch.channels.count)
        parameterization.parameters = starts[0].parameters.indices.map { k in Tensor(stacking: starts.map { $0.parameters[k] }) }
        let objective = batch.channels.enumerated()
            .map { Objective.channel(batch.layer, $0.element, batch: $0.offset) }
            .dropFirst().reduce(Objective.channel(batch.layer, batch.channels.lowerBound, batch: 0), +)
        let render = Recipe(objective, from: parameterization, optimizer: .adam(learningRate: recipe.learningRate),
                            transforms: Transform.standard, steps: recipe.steps,
                            seed: Self.seed(batch.layer, batch.channels.lowerBound, recipe.seed) ^ 0x7A5F_0F1E_5EED_0001,
                            resizeToNetworkInput: true)
        let result = try FeatureVis.render(render, on: model)
        return try zip(batch.channels, result.image.unstacked()).map { channel, image in
            RenderedChannel(layer: batch.layer, channel: channel, image: image,
                            metrics: try visualizer.metrics(of: image, layer: batch.layer, channel: channel),
                            patches: try photos?.strongest(layer: batch.layer, channel: channel, count: recipe.patches) ?? [])
        }
    }

    /// A channel's seed: FNV-1a of `layer:channel`, mixed with the recipe's seed.
    static func seed(_ layer: String, _ channel: Int, _ seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(layer):\(channel)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash ^ seed
    }
}
