import Tensors

/// VGG16 in torchvision's layout: the network of the article's own examples.
///
/// Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition"
/// (ICLR 2015). Weights: a torchvision state dict (`vgg16-397923af.pth`, zip format) that the user
/// supplies; none ship with the book.
///
/// * Input: RGB in [0, 1], NCHW, trained at 224×224. The network applies torchvision's ImageNet
///   normalization, `(x − mean) / std` with mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225).
/// * Layer names are torchvision's `named_modules()`: `features.0` … `features.30` (convolutions
///   are read *before* their ReLU, as a forward hook on the conv module sees them; `features.1`,
///   `features.3`, … are the ReLUs; `features.4`, `.9`, `.16`, `.23`, `.30` the max pools),
///   `avgpool` (adaptive average pool to 7×7), `classifier.0`, `.1`, `.3`, `.4`, `.6`
///   (linear, ReLU, linear, ReLU, linear = logits; the dropouts `.2` and `.5` are identities in
///   inference and not listed).
///
/// ```swift
/// let vgg = try VGG16.load(from: "vgg16-397923af.pth")
/// let tape = Tape()
/// let x = tape.variable(Tensor(shape: [1, 3, 224, 224], repeating: 0.5))
/// let conv4_3 = try vgg.forward(x, reading: ["features.21"])["features.21"]!   // [1, 512, 28, 28]
/// ```
public final class VGG16: Network {
    public let name = "vgg16"
    public let inputSize = 224
    private let network: StagedNetwork
    private let mean: Tensor
    private let inverseStd: Tensor

    /// Output channels of each convolution; 0 marks a 2×2 max pool.
    static let configuration = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]

    /// The ImageNet statistics torchvision normalizes with.
    public static let imageNetMean: [Float] = [0.485, 0.456, 0.406]
    public static let imageNetStd: [Float] = [0.229, 0.224, 0.225]

    /// Builds the network from a torchvision VGG16 state dict.
    /// - Throws: ``CheckpointError`` naming the first missing or mis-shaped key.
    public init(checkpoint: Checkpoint) throws {
        var stages: [Stage] = []
        var index = 0
        var channels = 3
        for width in Self.configuration {
            if width == 0 {
                stages.append(Stage(name: "features.\(index)", channels: channels) { x, _ in
                    maxPool2d(x, kernel: 2, stride: 2)
                })
                index += 1
                continue
            }
            let conv = try ConvLayer(checkpoint, conv: "features.\(index)", hasBias: true,
                                     in: channels, out: width, kernel: 3, padding: .symmetric(1))
            let convReLU = conv.with(activation: .relu)
            stages.append(Stage(name: "features.\(index)", channels: width,
                                run: { x, _ in conv(x) }, runWithNext: { x, _ in convReLU(x) }))
            stages.append(Stage(name: "features.\(index + 1)", channels: width) { x, _ in relu(x) })
            index += 2
            channels = width
        }
        stages.append(Stage(name: "avgpool", channels: 512) { x, _ in adaptiveAvgPool2d(x, height: 7, width: 7) })
        let fc0 = try LinearLayer(checkpoint, prefix: "classifier.0", in: 512 * 7 * 7, out: 4096)
        let fc3 = try LinearLayer(checkpoint, prefix: "classifier.3", in: 4096, out: 4096)
        let fc6 = try LinearLayer(checkpoint, prefix: "classifier.6", in: 4096, out: 1000)
        stages.append(Stage(name: "classifier.0", channels: 4096) { x, _ in
            fc0(x.reshaped([x.shape[0], x.value.count / x.shape[0]]))
        })
        stages.append(Stage(name: "classifier.1", channels: 4096) { x, _ in relu(x) })
        stages.append(Stage(name: "classifier.3", channels: 4096) { x, _ in fc3(x) })
        stages.append(Stage(name: "classifier.4", channels: 4096) { x, _ in relu(x) })
        stages.append(Stage(name: "classifier.6", channels: 1000) { x, _ in fc6(x) })
        network = StagedNetwork(model: name, stages: stages, weights: checkpoint)
        mean = Tensor(shape: [1, 3, 1, 1], scalars: Self.imageNetMean)
        inverseStd = Tensor(shape: [1, 3, 1, 1], scalars: Self.imageNetStd.map { 1 / $0 })
    }

    /// Reads a torchvision VGG16 state dict (zip or legacy `.pth`, or safetensors) at `path`.
    public static func load(from path: String) throws -> VGG16 {
        try VGG16(checkpoint: Checkpoint(contentsOf: path))
    }

    public var layers: [LayerReference] { network.layers }
    public var weightsDigest: String? { network.weightsDigest }

    public func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        let tape = images.tape
        let centred = broadcastAdd(images, tape.constant(mean.map { -$0 }))
        return network.forward(broadcastMultiply(centred, tape.constant(inverseStd)), reading: layers)
    }
}
