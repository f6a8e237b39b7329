import Foundation
import Models
import Tensors

/// Settings of one optimization (Lucid's `render_vis`): Adam, steps, seed, transforms.
public struct RenderOptions: Sendable {
    public var steps: Int = 512
    public var learningRate: Float = 0.05
    /// Seeds the random transforms (the parameterization carries its own seed).
    public var seed: UInt64 = 0
    public var transforms: [Transform] = Transform.standard
    /// Lucent's behaviour: when the image is smaller than the network's input size, the
    /// transformed image is resized bilinearly (corners aligned) to `inputSize × inputSize`.
    public var resizeToNetworkInput = true

    public init(steps: Int = 512, learningRate: Float = 0.05, seed: UInt64 = 0,
                transforms: [Transform] = Transform.standard, resizeToNetworkInput: Bool = true) {
        self.steps = steps
        self.learningRate = learningRate
        self.seed = seed
        self.transforms = transforms
        self.resizeToNetworkInput = resizeToNetworkInput
    }
}

/// Where a render is, reported after every step.
public struct RenderProgress: Sendable {
    /// The step just taken, 1…steps.
    public let step: Int
    public let steps: Int
    /// The objective's value at this step (before the update).
    public let objective: Float
    public let elapsedSeconds: Double

    /// Called after every step of every render in this process, besides each render's own
    /// `progress` closure; the book's runtime reports steps to the runner with it.
    nonisolated(unsafe) public static var observer: ((RenderProgress) -> Void)?
}

/// The outcome of ``render(_:on:from:options:progress:)``.
public struct RenderResult: Sendable {
    /// The final image `[N, 3, H, W]` in [0, 1].
    public let image: Tensor
    /// The final parameters (to continue optimizing).
    public let parameterization: ImageParameterization
    /// The objective's value at every step, before that step's update.
    public let history: [Float]
    public let seconds: Double
}

/// Optimizes `parameterization` to maximize `objective` on `network`.
///
/// Each step records a fresh tape: image from the parameters → transforms → resize to the
/// network's input size if the image is smaller → forward pass that stops at the deepest layer
/// the objective reads → objective → gradient with respect to the parameters → Adam ascent.
///
/// ```swift
/// let result = try render(.channel("_blocks.8", 3), on: model,
///                         from: .fourier(size: 128, seed: 1), options: RenderOptions(steps: 512))
/// ```
///
/// - Throws: the model's ``ModelError/unknownLayer(_:model:valid:)`` for a layer it lacks;
///   ``FeatureVisError/invalidArgument(name:value:valid:)`` for non-positive steps;
///   ``FeatureVisError/nonFinite(what:step:objective:)`` when the objective or a gradient
///   becomes NaN or infinite.
public func render(_ objective: Objective, on network: Network, from parameterization: ImageParameterization,
                   options: RenderOptions = RenderOptions(),
                   progress: ((RenderProgress) -> Void)? = nil) throws -> RenderResult {
    try validate("steps", options.steps, in: 1...1_000_000)
    let reader = try LayerReader(network: network, objective: objective)
    var param = parameterization
    var adam = Adam(learningRate: options.learningRate)
    var rng = SeededGenerator(seed: options.seed)
    let transform = Transform.compose(options.transforms)
    let resize = options.resizeToNetworkInput
        && (param.height < network.inputSize || param.width < network.inputSize)
    var history: [Float] = []
    history.reserveCapacity(options.steps)
    let start = Date()
    for step in 1...options.steps {
        let tape = Tape()
        let variables = param.parameters.map { tape.variable($0) }
        let image = param.makeImage(from: variables)
        var input = transform(image, using: &rng)
        if resize {
            input = resizeBilinear(input, height: network.inputSize, width: network.inputSize, alignCorners: true)
        }
        let value = objective(try reader.inputs(image: image, input: input))
        let v = value.value.scalar
        guard v.isFinite else { throw FeatureVisError.nonFinite(what: "objective", step: step, objective: objective.name) }
        let gradients = tape.gradients(of: value)
        let g = variables.map { gradients[$0] }
        guard g.allSatisfy({ $0.scalars.allSatisfy(\.isFinite) }) else {
            throw FeatureVisError.nonFinite(what: "gradient", step: step, objective: objective.name)
        }
        adam.ascend(&param.parameters, along: g)
        param.project()
        history.append(v)
        let report = RenderProgress(step: step, steps: options.steps, objective: v,
                                    elapsedSeconds: Date().timeIntervalSince(start))
        progress?(report)
        RenderProgress.observer?(report)
    }
    return RenderResult(image: param.image(), parameterization: param, history: history,
                        seconds: Date().timeIntervalSince(start))
}

/// Runs the network for an objective: resolves ``Objective/logits``, validates the layer names
/// up front and reads only what the objective needs.
struct LayerReader {
    let network: Network
    /// Network layer names to read, and the objective's name for each.
    let layers: [String: String]

    init(network: Network, objective: Objective) throws {
        self.network = network
        var layers: [String: String] = [:]
        for name in objective.networkLayers {
            let real = name == Objective.logits ? (network.layerNames.last ?? name) : name
            _ = try network.channels(of: real)  // throws unknownLayer with the valid names
            layers[real] = name
        }
        self.layers = layers
    }

    func inputs(image: Variable, input: Variable) throws -> ObjectiveInputs {
        var activations: [String: Variable] = [:]
        if !layers.isEmpty {
            for (real, value) in try network.forward(input, reading: Set(layers.keys)) {
                if let name = layers[real] { activations[name] = value }
            }
        }
        return ObjectiveInputs(image: image, input: input, activations: activations)
    }
}
