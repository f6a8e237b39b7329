import Tensors

/// Everything that distinguishes one feature-visualization recipe from another: image size,
/// steps, learning rate, parameterization and transforms.
///
/// Two recipes ship: ``regularized`` (Lucid's `render_vis` defaults, the default everywhere) and
/// ``naive`` (the article's own first loop, kept to show what regularization buys).
///
/// ```swift
/// var settings = VisualizationSettings.regularized
/// settings.steps = 256
/// ```
public struct VisualizationSettings: Sendable {
    /// Image side in pixels; `nil` means the network's input size.
    public var size: Int?
    public var steps: Int
    public var learningRate: Float
    public var basis: ImageParameterization.Basis
    public var decorrelated: Bool
    public var range: ImageParameterization.Range
    public var transforms: [Transform]
    /// Resize the transformed image to the network's input size when it is smaller (Lucent).
    public var resizeToNetworkInput: Bool
    /// A label for captions and logs.
    public var name: String

    public init(name: String, size: Int?, steps: Int, learningRate: Float, basis: ImageParameterization.Basis,
                decorrelated: Bool, range: ImageParameterization.Range, transforms: [Transform],
                resizeToNetworkInput: Bool = true) {
        self.name = name
        self.size = size
        self.steps = steps
        self.learningRate = learningRate
        self.basis = basis
        self.decorrelated = decorrelated
        self.range = range
        self.transforms = transforms
        self.resizeToNetworkInput = resizeToNetworkInput
    }

    /// Lucid's `render_vis` defaults: 128 px, 512 steps of Adam at 0.05, Fourier basis with 1/f
    /// scaling, decorrelated colour, sigmoid, the standard transforms, resized to the network's
    /// input size (Lucent).
    public static let regularized = VisualizationSettings(
        name: "regularized", size: 128, steps: 512, learningRate: 0.05, basis: .fourier(decayPower: 1),
        decorrelated: true, range: .sigmoid, transforms: Transform.standard)

    /// The article's first loop: raw pixels at the network's input size, Adam at 0.1, clamped to
    /// [0, 1], 100 steps, no transforms.
    public static let naive = VisualizationSettings(
        name: "naive", size: nil, steps: 100, learningRate: 0.1, basis: .pixel,
        decorrelated: false, range: .clamp, transforms: [])

    /// A fresh parameterization of this recipe.
    public func parameterization(size: Int, batch: Int = 1, seed: UInt64) -> ImageParameterization {
        ImageParameterization(batch: batch, height: size, width: size, basis: basis, decorrelated: decorrelated,
                              range: range, seed: seed)
    }

    func renderOptions(steps: Int, learningRate: Float, seed: UInt64) -> RenderOptions {
        RenderOptions(steps: steps, learningRate: learningRate, seed: seed, transforms: transforms,
                      resizeToNetworkInput: resizeToNetworkInput)
    }
}
