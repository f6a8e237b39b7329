import Tensors

/// A tiny convolutional network for fast tests: the model of `Tests/Fixtures/reference/tiny.json`.
///
/// `features`: Conv2d(3→8, 3×3, padding 1), ReLU, MaxPool2d(2), Conv2d(8→16, 3×3, padding 1),
/// BatchNorm2d(16, eps 1e-5), ReLU, AdaptiveAvgPool2d(1); `classifier`: Linear(16→10). No
/// preprocessing. It runs in microseconds, so other modules' tests can exercise real
/// convolutions, pooling, truncation and gradients through a `Network` without the 19 MB weights.
///
/// Layer names are PyTorch's module names: `features.0` (conv, before its ReLU), `features.1`,
/// `features.2` (pool, 8 channels at half size), `features.4` (the second conv with its BatchNorm
/// folded in, named after the BatchNorm whose output it is: there is no separate `features.3`),
/// `features.5`, `features.6` (`[N, 16, 1, 1]`), `classifier` (`[N, 10]`, logits).
///
/// ```swift
/// let tiny = try TinyNet.load(from: "Tests/Fixtures/reference/tiny-zip.pth")
/// ```
public final class TinyNet: Network {
    public let name = "tiny"
    /// The fixture's input size.
    public let inputSize = 16
    private let network: StagedNetwork

    public init(checkpoint: Checkpoint) throws {
        let conv0 = try ConvLayer(checkpoint, conv: "features.0", hasBias: true, in: 3, out: 8, kernel: 3, padding: .symmetric(1))
        let conv3 = try ConvLayer(checkpoint, conv: "features.3", hasBias: true, batchNorm: "features.4", eps: 1e-5,
                                  in: 8, out: 16, kernel: 3, padding: .symmetric(1))
        let classifier = try LinearLayer(checkpoint, prefix: "classifier", in: 16, out: 10)
        let conv0ReLU = conv0.with(activation: .relu), conv3ReLU = conv3.with(activation: .relu)
        network = StagedNetwork(model: name, stages: [
            Stage(name: "features.0", channels: 8, run: { x, _ in conv0(x) }, runWithNext: { x, _ in conv0ReLU(x) }),
            Stage(name: "features.1", channels: 8) { x, _ in relu(x) },
            Stage(name: "features.2", channels: 8) { x, _ in maxPool2d(x, kernel: 2, stride: 2) },
            Stage(name: "features.4", channels: 16, run: { x, _ in conv3(x) }, runWithNext: { x, _ in conv3ReLU(x) }),
            Stage(name: "features.5", channels: 16) { x, _ in relu(x) },
            Stage(name: "features.6", channels: 16) { x, _ in adaptiveAvgPool2d(x, height: 1, width: 1) },
            Stage(name: "classifier", channels: 10) { x, _ in classifier(x.reshaped([x.shape[0], 16])) },
        ], weights: checkpoint)
    }

    public static func load(from path: String) throws -> TinyNet {
        try TinyNet(checkpoint: Checkpoint(contentsOf: path))
    }

    public var layers: [LayerReference] { network.layers }
    public var weightsDigest: String? { network.weightsDigest }

    public func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        network.forward(images, reading: layers)
    }
}
