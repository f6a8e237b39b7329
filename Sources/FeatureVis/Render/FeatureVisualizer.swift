import Foundation
import Models
import Tensors

/// The article's `FeatureVisualizer`, done right: the basic, multiscale and diverse methods on
/// top of the render loop, with input validation and quality metrics.
///
/// ```swift
/// let visualizer = FeatureVisualizer(model: try EfficientNetLite0.pretrained(),
///                                    photosDirectory: "data/photos")
/// let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 3)
/// print(v.metrics!)
/// ```
public final class FeatureVisualizer {
    public let model: Network
    /// Folder of `.png` photos for the natural-image baseline (nil: no activation ratio).
    public let photosDirectory: String?
    private var baselineStore: NaturalImageBaseline?

    public init(model: Network, photosDirectory: String? = nil) {
        self.model = model
        self.photosDirectory = photosDirectory
    }

    /// The visualizer for a network chosen by name (``ModelRegistry/names``), as the article's
    /// `model_name`: `FeatureVisualizer(modelName: "efficientnet-lite2")`.
    /// - Throws: ``ModelError/unknownModel(_:valid:)`` listing the known names, or what
    ///   ``ModelRegistry/load(_:weights:cacheDirectory:)`` throws (missing weights, VGG16 without a file).
    public convenience init(modelName: String, weights: String? = nil, photosDirectory: String? = nil) throws {
        self.init(model: try ModelRegistry.load(modelName, weights: weights), photosDirectory: photosDirectory)
    }

    /// The natural-image baseline from ``photosDirectory`` (built on first use, then cached).
    public func baseline() throws -> NaturalImageBaseline? {
        if let b = baselineStore { return b }
        guard let dir = photosDirectory else { return nil }
        let b = try NaturalImageBaseline(network: model, photosDirectory: dir)
        baselineStore = b
        return b
    }

    // MARK: - The three methods

    /// The basic method: one image optimized to maximize the mean of `layer[:, channel]`.
    ///
    /// With the default ``VisualizationSettings/regularized`` this is Lucid's `render_vis`;
    /// ``VisualizationSettings/naive`` is the article's first loop. `size`, `steps` and
    /// `learningRate` override the settings' values.
    ///
    /// - Throws: ``ModelError/unknownLayer(_:model:valid:)``, ``ModelError/channelOutOfRange(_:layer:channels:)``,
    ///   ``FeatureVisError/invalidArgument(name:value:valid:)`` for a non-positive size or step count,
    ///   ``FeatureVisError/nonFinite(what:step:objective:)`` if the optimization diverges.
    public func visualizeFeature(layer: String, channel: Int, size: Int? = nil, steps: Int? = nil,
                                 learningRate: Float? = nil, seed: UInt64 = 0,
                                 settings: VisualizationSettings = .regularized, measure: Bool = true,
                                 progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        let (side, steps, lr) = try resolve(layer: layer, channel: channel, size: size, steps: steps,
                                            learningRate: learningRate, settings: settings)
        let objective = Objective.channel(layer, channel)
        let result = try render(objective, on: model, from: settings.parameterization(size: side, seed: seed),
                                options: settings.renderOptions(steps: steps, learningRate: lr, seed: transformSeed(seed)),
                                progress: progress)
        let method = settings.name == VisualizationSettings.regularized.name ? "basic" : settings.name
        return try finish(Visualization(method: method, layer: layer, channel: channel, image: result.image,
                                        history: result.history, seconds: result.seconds, objective: objective.name),
                          measure: measure)
    }

    /// Coarse-to-fine optimization: `octaves` sizes growing by `octaveScale` up to `size`; each
    /// octave continues from the previous result, upsampled and re-fitted exactly into a fresh
    /// parameterization of the larger size. The `steps` are split evenly over the octaves, so the
    /// cost matches the basic method.
    public func visualizeFeatureMultiscale(layer: String, channel: Int, octaves: Int = 3, octaveScale: Double = 1.5,
                                           size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                           seed: UInt64 = 0, settings: VisualizationSettings = .regularized,
                                           measure: Bool = true,
                                           progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        let (side, steps, lr) = try resolve(layer: layer, channel: channel, size: size, steps: steps,
                                            learningRate: learningRate, settings: settings)
        try validate("octaves", octaves, in: 1...8)
        try validate("steps", steps, in: octaves...1_000_000)
        guard octaveScale > 1 else {
            throw FeatureVisError.invalidArgument(name: "octaveScale", value: "\(octaveScale)", valid: "> 1")
        }
        let sizes = octaveSizes(final: side, octaves: octaves, scale: octaveScale)
        let objective = Objective.channel(layer, channel)
        var param = settings.parameterization(size: sizes[0], seed: seed)
        var history: [Float] = [], seconds = 0.0
        for (k, s) in sizes.enumerated() {
            if k > 0 {
                let upsampled = resizeBilinear(Tape().constant(param.image()), height: s, width: s).value
                param = param.fitted(to: upsampled)
            }
            let octaveSteps = steps / octaves + (k < steps % octaves ? 1 : 0)
            let result = try render(objective, on: model, from: param,
                                    options: settings.renderOptions(steps: octaveSteps, learningRate: lr,
                                                                    seed: transformSeed(seed) &+ UInt64(k)),
                                    progress: progress)
            param = result.parameterization
            history += result.history
            seconds += result.seconds
        }
        return try finish(Visualization(method: "multiscale", layer: layer, channel: channel, image: param.image(),
                                        history: history, seconds: seconds, objective: objective.name),
                          measure: measure)
    }

    /// `samples` images optimized together for the channel, with a diversity term (Lucid's
    /// Gram-matrix similarity penalty at the same layer) weighted by `diversityWeight`:
    /// `channel(layer, n) + diversityWeight · diversity(layer)`.
    ///
    /// The weight is relative to the channel's activations. Lucid's 100 suits InceptionV1's large
    /// activations; for EfficientNet-Lite0 (channel means of about 30 after optimization) 10 is
    /// the calibrated default: on `_blocks.8` channel 2 (3 samples, 256 steps) it cuts the batch's
    /// activation similarity from 0.68 (weight 0) to 0.20 and keeps the activation ratio at 8.3,
    /// where weight 1 changes nothing (0.67).
    public func visualizeFeatureDiverse(layer: String, channel: Int, samples: Int = 4, diversityWeight: Float = 10,
                                        size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                        seed: UInt64 = 0, settings: VisualizationSettings = .regularized,
                                        measure: Bool = true,
                                        progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        let (side, steps, lr) = try resolve(layer: layer, channel: channel, size: size, steps: steps,
                                            learningRate: learningRate, settings: settings)
        try validate("samples", samples, in: 1...64)
        let objective = Objective.channel(layer, channel) + diversityWeight * .diversity(layer)
        let result = try render(objective, on: model, from: settings.parameterization(size: side, batch: samples, seed: seed),
                                options: settings.renderOptions(steps: steps, learningRate: lr, seed: transformSeed(seed)),
                                progress: progress)
        return try finish(Visualization(method: "diverse", layer: layer, channel: channel, image: result.image,
                                        history: result.history, seconds: result.seconds, objective: objective.name),
                          measure: measure)
    }

    /// The article's multiscale method, kept as a comparison: independent images optimized at
    /// each scale (with `settings`, by default the naive loop), each upsampled to `size`, then
    /// averaged (a plain sum would leave [0, 1]). The scales never see each other's result, so
    /// nothing coarse-to-fine happens — compare with ``visualizeFeatureMultiscale``.
    public func visualizeFeatureSummedScales(layer: String, channel: Int, octaves: Int = 3, octaveScale: Double = 1.5,
                                             size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                             seed: UInt64 = 0, settings: VisualizationSettings = .naive,
                                             measure: Bool = true,
                                             progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        let (side, steps, lr) = try resolve(layer: layer, channel: channel, size: size, steps: steps,
                                            learningRate: learningRate, settings: settings)
        try validate("octaves", octaves, in: 1...8)
        let objective = Objective.channel(layer, channel)
        var sum = Tensor(zeros: [1, 3, side, side])
        var history: [Float] = [], seconds = 0.0
        for (k, s) in octaveSizes(final: side, octaves: octaves, scale: octaveScale).enumerated() {
            let result = try render(objective, on: model, from: settings.parameterization(size: s, seed: seed &+ UInt64(k)),
                                    options: settings.renderOptions(steps: steps, learningRate: lr,
                                                                    seed: transformSeed(seed) &+ UInt64(k)),
                                    progress: progress)
            sum.add(resizeBilinear(Tape().constant(result.image), height: side, width: side).value)
            history += result.history
            seconds += result.seconds
        }
        return try finish(Visualization(method: "summed-scales", layer: layer, channel: channel,
                                        image: sum.map { $0 / Float(octaves) }, history: history, seconds: seconds,
                                        objective: objective.name),
                          measure: measure)
    }

    // MARK: - Metrics

    /// Quality metrics of `images` for `layer[:, channel]` (see ``QualityMetrics``).
    public func metrics(of images: Tensor, layer: String, channel: Int, objective: Float? = nil) throws -> QualityMetrics {
        try validateFeature(layer: layer, channel: channel)
        let activation = try Measures.channelActivation(of: images, network: model, layer: layer, channel: channel)
        let mean = activation.reduce(0, +) / Float(activation.count)
        return QualityMetrics(
            objective: objective, activation: mean,
            naturalBest: try baseline()?.best(layer: layer, channel: channel),
            robustness: try Measures.robustness(of: images, network: model, layer: layer, channel: channel),
            highFrequencyShare: Measures.highFrequencyShare(of: images),
            batchSimilarity: try Measures.batchSimilarity(of: images, network: model, layer: layer))
    }

    // MARK: - Helpers

    private func finish(_ v: Visualization, measure: Bool) throws -> Visualization {
        guard measure else { return v }
        var v = v
        v.metrics = try metrics(of: v.image, layer: v.layer, channel: v.channel, objective: v.history.last)
        return v
    }

    /// Validates the feature and the numbers; returns the effective size, steps and learning rate.
    private func resolve(layer: String, channel: Int, size: Int?, steps: Int?, learningRate: Float?,
                         settings: VisualizationSettings) throws -> (Int, Int, Float) {
        try validateFeature(layer: layer, channel: channel)
        let side = size ?? settings.size ?? model.inputSize
        let steps = steps ?? settings.steps
        let lr = learningRate ?? settings.learningRate
        try validate("size", side, in: 8...4096)
        try validate("steps", steps, in: 1...1_000_000)
        guard lr > 0, lr.isFinite else {
            throw FeatureVisError.invalidArgument(name: "learningRate", value: "\(lr)", valid: "finite and > 0")
        }
        return (side, steps, lr)
    }

    private func validateFeature(layer: String, channel: Int) throws {
        let channels = try model.channels(of: layer)
        guard (0..<channels).contains(channel) else {
            throw ModelError.channelOutOfRange(channel, layer: layer, channels: channels)
        }
    }

    /// The transforms draw from their own stream, so changing the steps never changes the start.
    private func transformSeed(_ seed: UInt64) -> UInt64 { seed ^ 0x7A5F_0F1E_5EED_0001 }
}

/// Octave sides from small to `final`: `final / scale^(octaves − 1 − k)`, rounded.
func octaveSizes(final: Int, octaves: Int, scale: Double) -> [Int] {
    (0..<octaves).map { k in
        max(8, Int((Double(final) / Foundation.pow(scale, Double(octaves - 1 - k))).rounded()))
    }
}
