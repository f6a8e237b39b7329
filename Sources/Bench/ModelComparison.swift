// Cross-model class recognition and deep-channel quality: three methods on two models.
import FeatureVis
import Foundation
import Models
import Tensors

/// Whether a visualization shows the network's concept or one network's quirks: each method
/// renders class logits on one model, and the *other* model classifies the images; the same
/// methods render deep channels, measured with the project's quality metrics.
///
/// * **Classes** — ``classes`` (by default every 50th ImageNet class) in one batch per method and model
///   (image i maximizes the logit of class i); each image is classified by its own model and by
///   every other model of ``models``: top-1 and top-5 shares of the intended class.
/// * **Deep channels** — ``features`` (by default channels 0, 10, 20 of three deep layers) in one batch per method and
///   model (image i maximizes feature i), each measured with ``FeatureVisualizer/metrics(of:layer:channel:objective:)``
///   (activation ratio against the photos of ``photosDirectory``, robustness, high-frequency share).
///
/// Every render uses the method's own recipe (``Method/recipe(for:batch:size:steps:learningRate:seed:spectrum:inputSize:)``)
/// with ``steps`` steps and seed 0; only the step count is shared, so the methods cost the same
/// number of network passes.
///
/// ```swift
/// var comparison = ModelComparison()
/// comparison.steps = 96
/// print(try comparison.run().text())
/// ```
public struct ModelComparison {
    /// Every 50th ImageNet class, 0 (tench) to 950 (orange): spread over the label list, not
    /// chosen by their results.
    public static let imageNetClasses = Array(stride(from: 0, to: 1000, by: 50))
    /// Channels 0, 10 and 20 of `_blocks.14`, `_blocks.15` and `head` (names shared by
    /// EfficientNet-Lite0, -Lite1 and -Lite2).
    public static let deepChannels: [Feature] = ["_blocks.14", "_blocks.15", "head"].flatMap { layer in
        [0, 10, 20].map { Feature(layer: layer, channel: $0) }
    }

    /// A channel of a layer.
    public struct Feature: Sendable {
        public let layer: String, channel: Int
        public init(layer: String, channel: Int) { (self.layer, self.channel) = (layer, channel) }
    }

    /// The classes whose logits are rendered, in batch order.
    public var classes = ModelComparison.imageNetClasses
    /// The channels rendered and measured, in batch order.
    public var features = ModelComparison.deepChannels

    /// Model names (``ModelRegistry``); each model's images are classified by all the others.
    public var models = ["efficientnet-lite0", "efficientnet-lite2"]
    /// Methods rendering the class logits.
    public var classMethods: [Method] = [.naive, .basic, .maco]
    /// Methods rendering the deep channels.
    public var channelMethods: [Method] = [.basic, .maco]
    /// Optimization steps of every render.
    public var steps = 64
    /// The image side of every render (nil: each method's own, 128 px or the network's input size).
    public var size: Int?
    public var photosDirectory = "data/photos"
    public var spectrumPath = "data/maco-spectrum.json"
    /// Called with a line before each render.
    public var progress: (String) -> Void = { _ in }

    public init() {}

    /// Loads ``models`` by name, renders and measures everything.
    /// - Throws: ``ModelError`` for an unknown model or missing weights, what ``render(_:on:progress:)`` throws.
    public func run() throws -> ComparisonReport {
        try run(on: models.map { name in
            let v = try FeatureVisualizer(modelName: name, photosDirectory: photosDirectory)
            v.spectrumPath = spectrumPath
            return v
        })
    }

    /// Renders and measures everything on `visualizers` (named ``models``, in that order).
    func run(on visualizers: [FeatureVisualizer]) throws -> ComparisonReport {
        precondition(visualizers.count == models.count, "one visualizer per model name")
        let start = Date()
        var report = ComparisonReport(machine: .current(), steps: steps, classes: classes,
                                      deepFeatures: features.map { "\($0.layer):\($0.channel)" })
        for method in Set(classMethods + channelMethods).sorted(by: { $0.rawValue < $1.rawValue }) {
            for (m, visualizer) in visualizers.enumerated() {
                var row = ComparisonRow(method: method.rawValue, model: models[m])
                if classMethods.contains(method) {
                    try measureClasses(method, on: m, of: visualizers, into: &row)
                }
                if channelMethods.contains(method) {
                    try measureChannels(method, with: visualizer, into: &row)
                }
                report.rows.append(row)
            }
        }
        report.seconds = rounded(Date().timeIntervalSince(start), decimals: 1)
        report.machine.loadAverageEnd = MachineInfo.loadAverage()
        return report
    }

    /// The batch `objectives` rendered with `method` on `visualizer`'s model.
    private func renderBatch(_ method: Method, _ objectives: [Objective], with visualizer: FeatureVisualizer)
        throws -> RenderResult {
        let recipe = try method.recipe(for: objectives.dropFirst().reduce(objectives[0], +), batch: objectives.count,
                                       size: size, steps: steps, spectrum: method == .maco ? try visualizer.spectrum() : nil,
                                       inputSize: visualizer.model.inputSize)
        return try render(recipe, on: visualizer.model)
    }

    private func measureClasses(_ method: Method, on m: Int, of visualizers: [FeatureVisualizer],
                                into row: inout ComparisonRow) throws {
        progress("\(method) class logits on \(models[m]), \(classes.count) images, \(steps) steps")
        let result = try renderBatch(method, classes.enumerated().map { .classLogit($1, batch: $0) },
                                     with: visualizers[m])
        row.classSeconds = rounded(result.seconds, decimals: 1)
        for (k, judge) in visualizers.enumerated() {
            let predictions = try judge.model.classify(judge.model.prepareImage(result.image), top: 5)
            let recognition = ClassRecognition(judge: models[k], classes: classes, predictions: predictions)
            if k == m { row.sameModel = recognition } else { row.otherModels.append(recognition) }
        }
    }

    private func measureChannels(_ method: Method, with visualizer: FeatureVisualizer,
                                 into row: inout ComparisonRow) throws {
        progress("\(method) deep channels on \(visualizer.model.name), \(features.count) images, \(steps) steps")
        let result = try renderBatch(method, features.enumerated().map { .channel($1.layer, $1.channel, batch: $0) },
                                     with: visualizer)
        row.channelSeconds = rounded(result.seconds, decimals: 1)
        let metrics = try zip(result.image.unstacked(), features).map {
            try visualizer.metrics(of: $0, layer: $1.layer, channel: $1.channel)
        }
        /// The mean over the channels where it is defined (nil if a channel has no value: no
        /// photos for the ratio). Robustness is 0/0 on a channel the render left at zero.
        func mean(_ value: (QualityMetrics) -> Float?) -> Double? {
            let values = metrics.compactMap(value)
            guard values.count == metrics.count else { return nil }
            let finite = values.filter(\.isFinite)
            return finite.isEmpty ? nil : rounded(Double(finite.reduce(0, +)) / Double(finite.count), decimals: 3)
        }
        row.activationRatio = mean(\.activationRatio)
        row.robustness = mean(\.robustness)
        row.highFrequencyShare = mean(\.highFrequencyShare)
        row.silentChannels = metrics.filter { $0.activation <= 0 }.count
        row.channelRatios = metrics.compactMap { $0.activationRatio.map { rounded(Double($0), decimals: 2) } }
    }
}

/// How one model classified a batch of class visualizations.
public struct ClassRecognition: Codable {
    /// The classifying model.
    public let judge: String
    /// Shares of the images whose top-1 / top-5 contains the class they were optimized for.
    public let top1: Double, top5: Double
    /// The top-1 class of each image, in the order of ``ModelComparison/classes``.
    public let predicted: [Int]

    init(judge: String, classes: [Int], predictions: [[Prediction]]) {
        self.judge = judge
        let n = Double(classes.count)
        top1 = rounded(Double(zip(classes, predictions).filter { $0 == $1[0].classIndex }.count) / n, decimals: 3)
        top5 = rounded(Double(zip(classes, predictions).filter { c, p in p.contains { $0.classIndex == c } }.count) / n,
                       decimals: 3)
        predicted = predictions.map { $0[0].classIndex }
    }
}

/// One method on one model: its class visualizations' recognition and its deep channels' metrics.
public struct ComparisonRow: Codable {
    public let method: String, model: String
    /// Seconds of the class batch's render.
    public var classSeconds: Double?
    public var sameModel: ClassRecognition?
    public var otherModels: [ClassRecognition] = []
    /// Seconds of the deep-channel batch's render.
    public var channelSeconds: Double?
    /// Means over the deep channels.
    public var activationRatio: Double?, robustness: Double?, highFrequencyShare: Double?
    /// Deep channels whose mean activation stayed at or below zero (their robustness is undefined
    /// and left out of the mean).
    public var silentChannels: Int?
    /// Each deep channel's activation ratio, in the order of ``ModelComparison/features``.
    public var channelRatios: [Double]?

    init(method: String, model: String) {
        self.method = method
        self.model = model
    }
}

/// Everything one ``ModelComparison`` run measured.
public struct ComparisonReport: Codable {
    var machine: MachineInfo
    public let steps: Int
    public let classes: [Int]
    public let deepFeatures: [String]
    public var rows: [ComparisonRow] = []
    /// Wall-clock seconds of the whole run.
    public var seconds: Double = 0

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The table as Markdown, with the machine and the recipe above it.
    public func text() -> String {
        let load = String(format: "load average %.2f at start, %.2f at end", machine.loadAverageStart, machine.loadAverageEnd)
        var out = ["fvbook bench --only cross-model — \(machine.cpu), \(machine.cores) cores; \(load); \(seconds) s in all",
                   "\(steps) steps per render, seed 0; classes \(classes.map(String.init).joined(separator: ",")) (one batch);",
                   "deep channels \(deepFeatures.joined(separator: ", ")) (one batch): means of the activation ratio,",
                   "robustness and high-frequency share (robustness over the channels left above zero: silent);",
                   "seconds: class batch / channel batch.", "",
                   "| method | model | ratio | robustness | silent | HF share | own top-1 | other model top-1 (top-5) | seconds |",
                   "|---|---|---:|---:|---:|---:|---:|---|---:|"]
        func f(_ x: Double?, _ format: String = "%.2f") -> String { x.map { String(format: format, $0) } ?? "–" }
        for r in rows {
            let others = r.otherModels.map { "\(f($0.top1)) (\(f($0.top5))) by \($0.judge)" }.joined(separator: "; ")
            out.append("| \(r.method) | \(r.model) | \(f(r.activationRatio)) | \(f(r.robustness)) | "
                + "\(r.silentChannels.map(String.init) ?? "–") | "
                + "\(f(r.highFrequencyShare, "%.3f")) | \(f(r.sameModel?.top1)) | \(others.isEmpty ? "–" : others) | "
                + "\(f(r.classSeconds, "%.0f")) / \(f(r.channelSeconds, "%.0f")) |")
        }
        return out.joined(separator: "\n")
    }
}
