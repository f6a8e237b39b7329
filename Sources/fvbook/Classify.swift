import ArgumentParser
import Foundation
import Models
import Tensors

/// `fvbook classify IMAGE`: the top-5 ImageNet classes of a photo, from a pretrained network.
///
/// An image that is already the network's input size (224×224 for Lite0, 240 and 260 for Lite1 and
/// Lite2) is used as it is; any other is resized so its shorter side is that size (bilinear) and
/// centre-cropped. Errors — a missing image,
/// missing weights, an unknown model — are one line on stderr and exit code 2.
///
/// ```
/// $ fvbook classify data/photos/chelsea.png
/// $ fvbook classify cat.png --model vgg16 --weights vgg16-397923af.pth --json
/// ```
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify an image with a pretrained ImageNet network (top-5 classes).")

    @Argument(help: "A PNG image (any size; RGB, gray or palette).")
    var image: String

    @Option(help: "The network: \(ModelRegistry.names.joined(separator: ", ")).")
    var model = ModelRegistry.defaultName

    @Option(help: "A weights file (.pth or .safetensors). Required for vgg16; the EfficientNet-Lite models default to the model cache.")
    var weights: String?

    @Flag(help: "Print JSON: {\"logits\": [...], \"top5\": [{\"class\", \"name\", \"prob\"}]}.")
    var json = false

    func run() throws {
        // The image first: a wrong path fails at once, before the weights are read.
        let original = try PNG.read(image)
        let network = try ModelRegistry.load(model, weights: weights)
        let input = network.prepareImage(original)
        let logits = try network.logits(input).scalars
        let top5 = topPredictions(logits: logits, k: 5)
        print(json ? Self.json(logits: logits, top5: top5) : report(top5, original: original.shape, network: network))
    }

    private func report(_ top5: [Prediction], original: [Int], network: any Network) -> String {
        let size = network.inputSize
        let how = original[2] == size && original[3] == size ? "as is" : "resized and centre-cropped from \(original[3])×\(original[2])"
        var lines = ["\(image): \(network.name), \(size)×\(size) \(how)"]
        for (rank, p) in top5.enumerated() {
            let name = p.name.padding(toLength: max(p.name.count, 28), withPad: " ", startingAt: 0)
            lines.append(String(format: "%d. %4d  %@ %6.2f%%", rank + 1, p.classIndex, name, 100 * p.probability))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON report, written by hand so floats print in their shortest exact form.
    static func json(logits: [Float], top5: [Prediction]) -> String {
        let logitText = logits.map { "\($0)" }.joined(separator: ", ")
        let entries = top5.map { p in
            "{\"class\": \(p.classIndex), \"name\": \(quoted(p.name)), \"prob\": \(p.probability)}"
        }
        return "{\"logits\": [\(logitText)], \"top5\": [\(entries.joined(separator: ", "))]}"
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A one-line error of the command itself (as opposed to a model's or a file's).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
