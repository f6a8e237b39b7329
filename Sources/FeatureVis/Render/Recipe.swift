import Tensors

/// Everything that decides one render, as the arguments of Lucid's `render_vis`: the objective,
/// the image parameterization it starts from, the optimizer, the transforms, the number of steps
/// and the seed of the random transforms — plus the scale schedule (one size, coarse-to-fine
/// octaves, or independent scales averaged).
///
/// A recipe is a value: ``render(_:on:progress:)`` validates it against the network and runs it,
/// and its ``key`` names the result (renders are deterministic, so equal keys on the same network,
/// weights and engine build give the same bits).
///
/// ```swift
/// let recipe = Recipe(.channel("_blocks.8", 3), from: .fourier(size: 128), steps: 512)
/// let result = try render(recipe, on: model)
/// ```
public struct Recipe: Sendable {
    public var objective: Objective
    /// The starting image. With ``Scales/octaves(_:scale:)`` or ``Scales/summed(_:scale:)`` it is
    /// the template of each scale's fresh draw (kind, batch, final size and seed).
    public var parameterization: ImageParameterization
    public var optimizer: Optimizer
    /// Applied in order before the network at every step (Lucid's `transforms`).
    public var transforms: [Transform]
    /// Optimization steps in total (for ``Scales/summed(_:scale:)``: at each scale).
    public var steps: Int
    /// Seeds the random transforms (the parameterization carries its own seed).
    public var seed: UInt64
    /// Lucent's behaviour: when the image is smaller than the network's input size, the
    /// transformed image is resized bilinearly (corners aligned) to `inputSize × inputSize`.
    public var resizeToNetworkInput: Bool
    public var scales: Scales
    /// Constant images `[M, 3, H, W]` appended to the batch after the parameterization and
    /// transformed with it at every step, so an objective can compare the optimized images with
    /// them at any layer (feature accentuation's seed photo). `nil`: none.
    public var reference: Tensor? = nil

    /// A recipe with Lucid's `render_vis` defaults for everything but the objective and the image:
    /// Adam at 0.05, the standard transforms, 512 steps, one scale.
    public init(_ objective: Objective, from parameterization: ImageParameterization,
                optimizer: Optimizer = .adam(learningRate: 0.05), transforms: [Transform] = Transform.standard,
                steps: Int = 512, seed: UInt64 = 0, resizeToNetworkInput: Bool = true, scales: Scales = .single) {
        self.objective = objective
        self.parameterization = parameterization
        self.optimizer = optimizer
        self.transforms = transforms
        self.steps = steps
        self.seed = seed
        self.resizeToNetworkInput = resizeToNetworkInput
        self.scales = scales
    }

    /// How the image's size evolves during a render.
    public enum Scales: Sendable, Equatable {
        /// One optimization at the parameterization's size.
        case single
        /// Coarse to fine: `count` sides growing by `scale` up to the parameterization's; each
        /// octave continues from the previous result, upsampled and re-fitted exactly. The steps
        /// are split evenly over the octaves.
        case octaves(Int, scale: Double)
        /// The article's multiscale, kept as a comparison: `count` independent images (seed
        /// `seed + k` for scale k), each upsampled to the final size, then averaged.
        case summed(Int, scale: Double)
    }

    /// The optimizer and its hyper-parameters.
    public enum Optimizer: Sendable, Equatable {
        /// ``Adam`` with PyTorch's update rule.
        case adam(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)

        public var learningRate: Float {
            switch self { case let .adam(lr, _, _, _): return lr }
        }

        func make() -> Adam {
            switch self {
            case let .adam(lr, b1, b2, eps): return Adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
            }
        }
    }

    /// The image sides of the schedule, smallest first.
    public var sizes: [Int] {
        switch scales {
        case .single: return [parameterization.height]
        case let .octaves(n, scale), let .summed(n, scale):
            return octaveSizes(final: parameterization.height, octaves: n, scale: scale)
        }
    }
}

extension Recipe {
    /// The recipe's complete, stable description: every argument that decides the result, floats
    /// bit for bit, the starting image by a digest of its parameters. (The network, its weights
    /// and the engine build are not part of it: a memo of renders adds them.)
    ///
    /// ```swift
    /// Recipe(.channel("_blocks.8", 3), from: .fourier(size: 128)).key
    /// // render-1 objective=channel("_blocks.8",3,nil) image=image(fourier(1.0),true,sigmoid,1,128,128)#… …
    /// ```
    public var key: String {
        let optimizerKey: String
        switch optimizer {
        case let .adam(lr, b1, b2, eps): optimizerKey = keyCall("adam", lr, b1, b2, eps)
        }
        let scalesKey: String
        switch scales {
        case .single: scalesKey = "single"
        case let .octaves(n, scale): scalesKey = keyCall("octaves", n, scale)
        case let .summed(n, scale): scalesKey = keyCall("summed", n, scale)
        }
        return [
            "render-1",
            "objective=" + objective.key,
            "image=" + parameterization.key,
            "optimizer=" + optimizerKey,
            "transforms=" + transforms.map { Keyed($0.key) }.keyText,
            "steps=\(steps)",
            "seed=\(seed)",
            "resize=\(resizeToNetworkInput)",
            "scales=" + scalesKey,
        ].joined(separator: " ") + (reference.map { " reference=#" + contentDigest([$0]) } ?? "")
    }
}
