import Foundation
import Tensors

/// One class of a classification: its index, its name and its softmax probability.
public struct Prediction: Equatable, Sendable, CustomStringConvertible {
    public let classIndex: Int
    public let name: String
    public let probability: Float

    public var description: String {
        String(format: "%4d %@ %.4f", classIndex, name, probability)
    }
}

extension Network {
    /// The network's last layer: its logits, for the classifiers here.
    public var outputLayer: String {
        guard let last = layerNames.last else { preconditionFailure("\(name) has no layers") }
        return last
    }

    /// The logits `[N, classes]` for a batch of images (RGB in [0, 1], NCHW), without gradients.
    public func logits(_ images: Tensor) throws -> Tensor {
        let tape = Tape()
        let layer = outputLayer
        guard let output = try forward(tape.constant(images), reading: [layer])[layer] else {
            preconditionFailure("\(name).forward did not return its output layer \(layer)")
        }
        return output.value
    }

    /// The `k` most probable classes of each image, most probable first.
    ///
    /// ```swift
    /// let net = try EfficientNetLite0.pretrained()
    /// let cat = net.prepareImage(try PNG.read("data/photos/chelsea.png"))
    /// print(try net.classify(cat)[0][0])   // 282 tiger cat 0.40…
    /// ```
    public func classify(_ images: Tensor, top k: Int = 5) throws -> [[Prediction]] {
        let output = try logits(images)
        let classes = output.shape[1]
        return (0..<output.shape[0]).map { n in
            topPredictions(logits: Array(output.scalars[(n * classes)..<((n + 1) * classes)]), k: k)
        }
    }

    /// An image made ready for the network: unchanged when it is already `inputSize` square,
    /// otherwise resized (bilinear) so the shorter side is `inputSize`, then centre-cropped —
    /// torchvision's `Resize(size)` + `CenterCrop(size)`, without antialiasing.
    public func prepareImage(_ image: Tensor) -> Tensor {
        precondition(image.rank == 4 && image.shape[1] == 3, "image must be [N, 3, H, W], got \(image.shape)")
        let size = inputSize
        let height = image.shape[2], width = image.shape[3]
        if height == size && width == size { return image }
        // torchvision: the shorter side becomes `size`, the longer one int(size · long / short).
        let (newHeight, newWidth) = height <= width
            ? (size, Int(Double(size) * Double(width) / Double(height)))
            : (Int(Double(size) * Double(height) / Double(width)), size)
        let tape = Tape()
        let resized = resizeBilinear(tape.constant(image), height: newHeight, width: newWidth)
        let top = Int((Double(newHeight - size) / 2).rounded()), left = Int((Double(newWidth - size) / 2).rounded())
        return crop(resized, top: top, left: left, height: size, width: size).value
    }
}

/// Softmax of a vector of logits, computed stably (shifted by the maximum, in Double).
public func softmax(_ logits: [Float]) -> [Float] {
    guard let maximum = logits.max() else { return [] }
    let exps = logits.map { Foundation.exp(Double($0 - maximum)) }
    let total = exps.reduce(0, +)
    return exps.map { Float($0 / total) }
}

/// The `k` most probable classes for one image's logits. Names come from
/// ``imageNetClassNames`` for 1000 classes, otherwise they are "class N".
public func topPredictions(logits: [Float], k: Int) -> [Prediction] {
    let probabilities = softmax(logits)
    let names = logits.count == imageNetClassNames.count ? imageNetClassNames : nil
    return probabilities.indices
        .sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        .prefix(max(k, 0))
        .map { Prediction(classIndex: $0, name: names?[$0] ?? "class \($0)", probability: probabilities[$0]) }
}
