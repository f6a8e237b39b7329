import Foundation
import Models
import RenderCache
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
///
/// Each method builds a ``Recipe`` (``Method/recipe(layer:channel:size:steps:learningRate:seed:samples:diversityWeight:octaves:octaveScale:inputSize:)``)
/// and runs it with ``render(_:on:progress:)``, which validates it.
public final class FeatureVisualizer {
    public let model: Network
    /// Folder of `.png` photos for the natural-image baseline (nil: no activation ratio).
    public let photosDirectory: String?
    private var baselineStore: NaturalImageBaseline?
    /// The natural spectrum file MACO reads (relative paths from the working directory).
    public var spectrumPath = "data/maco-spectrum.json"
    private var spectrumStore: NaturalSpectrum?

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

    // MARK: - The methods

    /// Visualizes `layer[:, channel]` with `method` (see ``Method`` and
    /// ``Method/recipe(layer:channel:size:steps:learningRate:seed:samples:diversityWeight:octaves:octaveScale:inputSize:)``
    /// for the arguments; `nil` picks the method's default), then measures the result.
    ///
    /// ```swift
    /// let naive = try visualizer.visualize(.naive, layer: "_blocks.8", channel: 3, steps: 100)
    /// ```
    /// - Throws: ``ModelError/unknownLayer(_:model:valid:)``, ``ModelError/channelOutOfRange(_:layer:channels:)``,
    ///   ``FeatureVisError/invalidArgument(name:value:valid:)`` for a number out of range,
    ///   ``FeatureVisError/nonFinite(what:step:objective:)`` if the optimization diverges.
    public func visualize(_ method: Method, layer: String, channel: Int, size: Int? = nil, steps: Int? = nil,
                          learningRate: Float? = nil, seed: UInt64 = 0, samples: Int = 4, diversityWeight: Float = 10,
                          octaves: Int = 3, octaveScale: Double = 1.5, photo: Tensor? = nil,
                          accentuationLayer: String? = nil, accentuationWeight: Float = 100, measure: Bool = true,
                          progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        var accentuation: (layer: String, weight: Float)?
        if method == .accentuate {
            accentuation = (try accentuationLayer ?? defaultAccentuationLayer(for: layer), accentuationWeight)
        }
        let recipe = try method.recipe(layer: layer, channel: channel, size: size, steps: steps,
                                       learningRate: learningRate, seed: seed, samples: samples,
                                       diversityWeight: diversityWeight, octaves: octaves, octaveScale: octaveScale,
                                       spectrum: method == .maco ? try spectrum() : nil,
                                       photo: photo.map { model.prepareImage($0) }, accentuation: accentuation,
                                       inputSize: model.inputSize)
        let result = try render(recipe, on: model, progress: progress)
        var v = Visualization(method: method, layer: layer, channel: channel, image: result.image,
                              history: result.history, seconds: result.seconds, objective: recipe.objective.name)
        v.attribution = result.attribution.map(Visualization.transparency)
        guard measure else { return v }
        v.metrics = try metrics(of: v.image, layer: layer, channel: channel, objective: v.history.last)
        return v
    }

    /// The basic method: one image optimized to maximize the mean of `layer[:, channel]` with
    /// Lucid's `render_vis` defaults (``Method/basic``).
    public func visualizeFeature(layer: String, channel: Int, size: Int? = nil, steps: Int? = nil,
                                 learningRate: Float? = nil, seed: UInt64 = 0, measure: Bool = true,
                                 progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.basic, layer: layer, channel: channel, size: size, steps: steps, learningRate: learningRate,
                      seed: seed, measure: measure, progress: progress)
    }

    /// Coarse-to-fine optimization (``Method/multiscale``): `octaves` sizes growing by
    /// `octaveScale` up to `size`; each octave continues from the previous result, upsampled and
    /// re-fitted exactly. The `steps` are split evenly over the octaves, so the cost matches the
    /// basic method.
    public func visualizeFeatureMultiscale(layer: String, channel: Int, octaves: Int = 3, octaveScale: Double = 1.5,
                                           size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                           seed: UInt64 = 0, measure: Bool = true,
                                           progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.multiscale, layer: layer, channel: channel, size: size, steps: steps, learningRate: learningRate,
                      seed: seed, octaves: octaves, octaveScale: octaveScale, measure: measure, progress: progress)
    }

    /// `samples` images optimized together for the channel (``Method/diverse``), with a diversity
    /// term (Lucid's Gram-matrix similarity penalty at the same layer) weighted by `diversityWeight`:
    /// `channel(layer, n) + diversityWeight · diversity(layer)`.
    ///
    /// The weight is relative to the channel's activations. Lucid's 100 suits InceptionV1's large
    /// activations; for EfficientNet-Lite0 (channel means of about 30 after optimization) 10 is
    /// the calibrated default: on `_blocks.8` channel 2 (3 samples, 256 steps) it cuts the batch's
    /// activation similarity from 0.68 (weight 0) to 0.20 and keeps the activation ratio at 8.3,
    /// where weight 1 changes nothing (0.67).
    public func visualizeFeatureDiverse(layer: String, channel: Int, samples: Int = 4, diversityWeight: Float = 10,
                                        size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                        seed: UInt64 = 0, measure: Bool = true,
                                        progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.diverse, layer: layer, channel: channel, size: size, steps: steps, learningRate: learningRate,
                      seed: seed, samples: samples, diversityWeight: diversityWeight, measure: measure, progress: progress)
    }

    /// The article's multiscale method, kept as a comparison (``Method/summedScales``): the naive
    /// loop at each scale, independently, each image upsampled to `size`, then averaged (a plain
    /// sum would leave [0, 1]). The scales never see each other's result, so nothing
    /// coarse-to-fine happens — compare with ``visualizeFeatureMultiscale``.
    public func visualizeFeatureSummedScales(layer: String, channel: Int, octaves: Int = 3, octaveScale: Double = 1.5,
                                             size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                                             seed: UInt64 = 0, measure: Bool = true,
                                             progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.summedScales, layer: layer, channel: channel, size: size, steps: steps,
                      learningRate: learningRate, seed: seed, octaves: octaves, octaveScale: octaveScale,
                      measure: measure, progress: progress)
    }

    /// MACO (``Method/maco``): the Fourier magnitude fixed to the natural spectrum at
    /// ``spectrumPath``, only the phase optimized; the result carries the transparency map
    /// (``Visualization/attribution``).
    ///
    /// ```swift
    /// let v = try visualizer.visualizeFeatureMACO(layer: "_blocks.15", channel: 20)
    /// ```
    public func visualizeFeatureMACO(layer: String, channel: Int, size: Int? = nil, steps: Int? = nil,
                                     learningRate: Float? = nil, seed: UInt64 = 0, measure: Bool = true,
                                     progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.maco, layer: layer, channel: channel, size: size, steps: steps, learningRate: learningRate,
                      seed: seed, measure: measure, progress: progress)
    }

    /// Feature accentuation (``Method/accentuate``): `photo` (any size; resized and centre-cropped
    /// to the network's input) changed only as much as needed to excite the channel — the penalty
    /// `weight · activationDistance(layer)` keeps the activations at `layer` (default: the layer
    /// halfway to the target) near the photo's own.
    public func accentuate(photo: Tensor, layer: String, channel: Int, regularizationLayer: String? = nil,
                           weight: Float = 100, steps: Int? = nil, learningRate: Float? = nil, seed: UInt64 = 0,
                           measure: Bool = true, progress: ((RenderProgress) -> Void)? = nil) throws -> Visualization {
        try visualize(.accentuate, layer: layer, channel: channel, steps: steps, learningRate: learningRate, seed: seed,
                      photo: photo, accentuationLayer: regularizationLayer, accentuationWeight: weight,
                      measure: measure, progress: progress)
    }

    /// The spectrum at ``spectrumPath`` (read on first use, then cached).
    public func spectrum() throws -> NaturalSpectrum {
        if let s = spectrumStore { return s }
        let s = try NaturalSpectrum.load(contentsOf: spectrumPath)
        spectrumStore = s
        return s
    }

    /// The layer halfway (in forward order) between the input and `layer`.
    func defaultAccentuationLayer(for layer: String) throws -> String {
        let target = try model.layer(layer)
        return model.layers[target.index / 2].name
    }

    // MARK: - Metrics

    /// Quality metrics of `images` for `layer[:, channel]` (see ``QualityMetrics``).
    /// - Throws: ``ModelError`` for an unknown layer or a channel out of range.
    public func metrics(of images: Tensor, layer: String, channel: Int, objective: Float? = nil) throws -> QualityMetrics {
        // Memoized (``RenderMemo``): keyed by the images' exact content and the photos'.
        let key = "metrics-1 layer=\(layer.debugDescription) channel=\(channel) objective=\(objective.map { "\($0.bitPattern)" } ?? "nil") "
            + "images=\(contentDigest([images])) photos=\(photosDigest)"
        return try RenderMemo.remember(key, on: model) {
            try measure(images, layer: layer, channel: channel, objective: objective)
        }
    }

    /// The photos folder's PNGs by name and content, computed on first use ("none" without one).
    private lazy var photosDigest: String = {
        guard let directory = photosDirectory else { return "none" }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".png") }.sorted()
        return SHA256.hex(of: Array(names.map { "\($0)=\(SHA256.hex(ofFile: (directory as NSString).appendingPathComponent($0)) ?? "unreadable")" }
            .joined(separator: ",").utf8))
    }()

    private func measure(_ images: Tensor, layer: String, channel: Int, objective: Float?) throws -> QualityMetrics {
        let activation = try Measures.channelActivation(of: images, network: model, layer: layer, channel: channel)
        let mean = activation.reduce(0, +) / Float(activation.count)
        return QualityMetrics(
            objective: objective, activation: mean,
            naturalBest: try baseline()?.best(layer: layer, channel: channel),
            robustness: try Measures.robustness(of: images, network: model, layer: layer, channel: channel),
            highFrequencyShare: Measures.highFrequencyShare(of: images),
            batchSimilarity: try Measures.batchSimilarity(of: images, network: model, layer: layer))
    }
}

/// Octave sides from small to `final`: `final / scale^(octaves − 1 − k)`, rounded.
func octaveSizes(final: Int, octaves: Int, scale: Double) -> [Int] {
    (0..<octaves).map { k in
        max(8, Int((Double(final) / Foundation.pow(scale, Double(octaves - 1 - k))).rounded()))
    }
}
