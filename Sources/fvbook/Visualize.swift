import ArgumentParser
import FeatureVis
import Foundation
import Models
import Suggestions
import Tensors

/// `fvbook visualize`: render one channel of a pretrained network and print its quality metrics.
struct Visualize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Visualize one channel of a pretrained network (EfficientNet-Lite0 by default) and print quality metrics.",
        discussion: """
            Methods: basic (Lucid's defaults: 128 px, 512 steps, Fourier + decorrelated colour, standard \
            transforms), multiscale (coarse-to-fine octaves), diverse (a batch with a diversity term), \
            naive (the article's loop: pixels, Adam 0.1, clamp, 100 steps, no transforms), \
            summed-scales (the article's multiscale: independent scales averaged), maco (natural Fourier \
            magnitude, only the phase optimized; also writes OUT-attribution.png, its transparency map), \
            accentuate (--image PHOTO changed just enough to excite the channel).
            """)

    @Option(help: "The network: \(ModelRegistry.names.joined(separator: ", ")).") var model = ModelRegistry.defaultName
    @Option(help: "A weights file (.pth or .safetensors). Required for vgg16.") var weights: String?
    @Option(help: "Layer name, e.g. _blocks.8.") var layer: String
    @Option(help: "Channel index in the layer.") var channel: Int
    @Option(help: ArgumentHelp("The method: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "method"),
            transform: choice) var method: Method = .basic
    @Option(help: "Image side in pixels (default: the method's).") var size: Int?
    @Option(help: "Optimization steps (default: the method's).") var steps: Int?
    @Option(help: "Adam learning rate (default: the method's).") var learningRate: Float?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Images in the batch (diverse only).") var samples = 4
    @Option(help: "Weight of the diversity term (diverse only).") var diversityWeight: Float = 10
    @Option(help: "The photo to accentuate (accentuate only; any size, resized and centre-cropped).") var image: String?
    @Option(help: "Layer kept near the photo's activations (accentuate only; default: halfway to --layer).") var accentuationLayer: String?
    @Option(help: "Weight of the penalty that keeps the photo (accentuate only).") var accentuationWeight: Float = 100
    @Option(help: "Folder of PNG photos for the natural-image baseline.") var photos = "data/photos"
    @Option(name: .shortAndLong, help: "Output PNG path.") var output: String
    @Flag(help: "Print the metrics as JSON.") var json = false
    @Flag(help: "Skip the quality metrics.") var noMetrics = false

    func run() throws {
        if method == .accentuate && image == nil {
            throw FeatureVisError.invalidArgument(name: "--image", value: "missing", valid: "a PNG photo to accentuate")
        }
        let photo = try image.map { try PNG.read($0) }
        let photosDirectory = FileManager.default.fileExists(atPath: photos) ? photos : nil
        let visualizer = try FeatureVisualizer(modelName: model, weights: weights, photosDirectory: photosDirectory)
        let progress: (RenderProgress) -> Void = { p in
            if !json && (p.step % 64 == 0 || p.step == p.steps) {
                FileHandle.standardError.write(Data(String(format: "step %4d/%d  objective %.4f  %.1f s\n",
                                                           p.step, p.steps, p.objective, p.elapsedSeconds).utf8))
            }
        }
        let v = try visualizer.visualize(method, layer: layer, channel: channel, size: size, steps: steps,
                                         learningRate: learningRate, seed: seed, samples: samples,
                                         diversityWeight: diversityWeight, photo: photo,
                                         accentuationLayer: accentuationLayer, accentuationWeight: accentuationWeight,
                                         measure: !noMetrics, progress: progress)
        try PNG.write(montage([v.image], gap: v.image.shape[0] > 1 ? 4 : 0), to: output)
        if let map = v.attribution, method == .maco || method == .accentuate {
            // MACO's transparency map next to the image: out.png → out-attribution.png.
            let path = (output as NSString).deletingPathExtension + "-attribution.png"
            let grey = Tape().constant(map)
            try PNG.write(montage([concat([grey, grey, grey], axis: 1).value], gap: map.shape[0] > 1 ? 4 : 0), to: path)
        }
        try report(v)
    }

    private func report(_ v: Visualization) throws {
        if json {
            let payload = Report(layer: v.layer, channel: v.channel, method: v.method, objective: v.objective,
                                 size: v.image.shape[2], images: v.image.shape[0], steps: v.history.count,
                                 seconds: v.seconds, output: output, metrics: v.metrics)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(payload), as: UTF8.self))
            return
        }
        print("\(v.method) \(v.layer):\(v.channel)  \(v.image.shape[0])×\(v.image.shape[2])px  \(v.history.count) steps  "
              + String(format: "%.1f s", v.seconds) + "  → \(output)")
        guard let m = v.metrics else { return }
        func f(_ x: Float?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
        print("objective \(f(m.objective))  activation \(f(m.activation))  best natural patch \(f(m.naturalBest))")
        print("activation ratio \(f(m.activationRatio))  robustness \(f(m.robustness))  "
              + "high-frequency share \(f(m.highFrequencyShare))" + (m.batchSimilarity.map { "  batch similarity \(f($0))" } ?? ""))
    }

    private struct Report: Encodable {
        let layer: String, channel: Int, method: Method, objective: String
        let size: Int, images: Int, steps: Int, seconds: Double, output: String
        let metrics: QualityMetrics?
    }
}

extension Method: ExpressibleByArgument {}

/// Parses one of an enumeration's raw values; an unknown one is a usage error naming the closest
/// valid value and all of them.
func choice<T: CaseIterable & RawRepresentable>(_ text: String) throws -> T where T.RawValue == String {
    if let value = T(rawValue: text) { return value }
    let valid = T.allCases.map(\.rawValue)
    throw ValidationError("unknown value `\(text)`\(didYouMean(text, in: valid)) Valid values: \(valid.joined(separator: ", "))")
}
