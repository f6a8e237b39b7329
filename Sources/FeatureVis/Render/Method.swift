import Models
import Tensors

/// The ways ``FeatureVisualizer`` visualizes a channel: the article's methods and its two
/// comparisons, each a ``Recipe``.
///
/// * `basic` — Lucid's `render_vis` defaults: 128 px, 512 steps of Adam at 0.05, Fourier basis
///   with 1/f scaling, decorrelated colour, sigmoid, the standard transforms.
/// * `naive` — the article's first loop: raw pixels at the network's input size, Adam at 0.1,
///   clamped to [0, 1], 100 steps, no transforms.
/// * `multiscale` — `basic`, coarse to fine over octaves.
/// * `diverse` — `basic` on a batch, plus a diversity term.
/// * `summed-scales` — the article's multiscale: `naive` at independent scales, averaged.
/// * `maco` — MACO (Fel et al., NeurIPS 2023): `basic`'s size, steps and transforms, but the
///   Fourier magnitude fixed to the natural spectrum and only the phase optimized.
/// * `accentuate` — feature accentuation (Hamblin, Fel et al., 2024): start from a photo (the
///   network's input size, Fourier + decorrelated colour fitted to it) and excite the channel
///   while a penalty keeps the activations at an earlier layer near the photo's own.
public enum Method: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case basic, naive, multiscale, diverse
    case summedScales = "summed-scales"
    case maco, accentuate

    public var description: String { rawValue }

    /// The default image side, steps and learning rate (nil side: the network's input size).
    var defaults: (size: Int?, steps: Int, learningRate: Float) {
        switch self {
        case .naive, .summedScales: return (nil, 100, 0.1)
        case .basic, .multiscale, .diverse: return (128, 512, 0.05)
        case .maco: return (128, 512, 0.2)
        case .accentuate: return (nil, 256, 0.05)
        }
    }
}

extension Method {
    /// The recipe of this method for `layer[:, channel]` on a network with inputs of `inputSize`;
    /// `nil` picks the method's default.
    ///
    /// ```swift
    /// let recipe = try Method.multiscale.recipe(layer: "_blocks.8", channel: 1, steps: 384, inputSize: 224)
    /// ```
    /// - Parameters:
    ///   - seed: seeds the starting image; the transforms draw from their own stream derived from it.
    ///   - samples: images in the batch (`diverse`).
    ///   - diversityWeight: weight of the diversity term (`diverse`), relative to the channel's activations.
    ///   - octaves: scales (`multiscale`, `summed-scales`), growing by `octaveScale`.
    ///   - spectrum: the fixed magnitude (`maco`, required).
    ///   - photo: the image to accentuate, `[1, 3, S, S]` in [0, 1] (`accentuate`, required; its side is the size).
    ///   - accentuation: the layer whose activations stay near the photo's and the penalty's weight (`accentuate`).
    /// - Throws: ``FeatureVisError/invalidArgument(name:value:valid:)`` for a size or sample count
    ///   out of range, or a missing spectrum or photo (everything else is checked by ``render(_:on:progress:)``).
    public func recipe(layer: String, channel: Int, size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                       seed: UInt64 = 0, samples: Int = 4, diversityWeight: Float = 10, octaves: Int = 3,
                       octaveScale: Double = 1.5, spectrum: NaturalSpectrum? = nil, photo: Tensor? = nil,
                       accentuation: (layer: String, weight: Float)? = nil, inputSize: Int) throws -> Recipe {
        if self == .maco || self == .accentuate {
            return try modernRecipe(layer: layer, channel: channel, size: size, steps: steps, learningRate: learningRate,
                                    seed: seed, spectrum: spectrum, photo: photo, accentuation: accentuation,
                                    inputSize: inputSize)
        }
        let side = size ?? defaults.size ?? inputSize
        try validate("size", side, in: 8...4096)
        let batch = self == .diverse ? samples : 1
        try validate("samples", batch, in: 1...64)
        let regularized = self != .naive && self != .summedScales
        let image = ImageParameterization(batch: batch, height: side, width: side,
                                          basis: regularized ? .fourier(decayPower: 1) : .pixel,
                                          decorrelated: regularized, range: regularized ? .sigmoid : .clamp,
                                          seed: seed)
        var objective = Objective.channel(layer, channel)
        if self == .diverse { objective = objective + diversityWeight * .diversity(layer) }
        let scales: Recipe.Scales
        switch self {
        case .multiscale: scales = .octaves(octaves, scale: octaveScale)
        case .summedScales: scales = .summed(octaves, scale: octaveScale)
        case .basic, .naive, .diverse, .maco, .accentuate: scales = .single
        }
        return Recipe(objective, from: image, optimizer: .adam(learningRate: learningRate ?? defaults.learningRate),
                      transforms: regularized ? Transform.standard : [], steps: steps ?? defaults.steps,
                      // The transforms draw from their own stream, so changing the steps never changes the start.
                      seed: seed ^ 0x7A5F_0F1E_5EED_0001, scales: scales)
    }
}

extension Method {
    /// The recipes of `maco` and `accentuate`.
    private func modernRecipe(layer: String, channel: Int, size: Int?, steps: Int?, learningRate: Float?, seed: UInt64,
                              spectrum: NaturalSpectrum?, photo: Tensor?, accentuation: (layer: String, weight: Float)?,
                              inputSize: Int) throws -> Recipe {
        let optimizer = Recipe.Optimizer.adam(learningRate: learningRate ?? defaults.learningRate)
        let transformSeed = seed ^ 0x7A5F_0F1E_5EED_0001
        if self == .maco {
            guard let spectrum else {
                throw FeatureVisError.invalidArgument(name: "spectrum", value: "none", valid: "a NaturalSpectrum for maco")
            }
            let side = size ?? defaults.size ?? inputSize
            try validate("size", side, in: 8...4096)
            return Recipe(.channel(layer, channel), from: .maco(size: side, spectrum: spectrum, seed: seed),
                          optimizer: optimizer, transforms: Transform.standard, steps: steps ?? defaults.steps,
                          seed: transformSeed)
        }
        guard let photo, photo.rank == 4, photo.shape[0] == 1, photo.shape[1] == 3, photo.shape[2] == photo.shape[3] else {
            throw FeatureVisError.invalidArgument(name: "photo", value: photo.map { "of shape \($0.shape)" } ?? "none",
                                                  valid: "one square RGB image [1, 3, S, S] for accentuate")
        }
        guard let accentuation else {
            throw FeatureVisError.invalidArgument(name: "accentuation", value: "none", valid: "a layer and a weight")
        }
        let start = ImageParameterization.fourier(size: photo.shape[2], seed: seed).fitted(to: photo)
        let objective = Objective.channel(layer, channel, batch: 0)
            - accentuation.weight * .activationDistance(accentuation.layer, batch: 0, reference: 1)
        var recipe = Recipe(objective, from: start, optimizer: optimizer, transforms: Transform.standard,
                            steps: steps ?? defaults.steps, seed: transformSeed)
        // The seed as the parameterization renders it (sigmoid inputs are clipped when fitting),
        // so the penalty is exactly zero at the start.
        recipe.reference = start.image()
        return recipe
    }
}

extension Method {
    /// This method's recipe for a whole batch with its own `objective` (image i of `batch` usually
    /// maximizes the i-th of several terms): the single-channel recipe's image, optimizer,
    /// transforms, steps and seed, with the starting image drawn for `batch` images.
    ///
    /// ```swift
    /// let logits = (0..<3).map { Objective.classLogit([1, 2, 3][$0], batch: $0) }
    /// let recipe = try Method.basic.recipe(for: logits.dropFirst().reduce(logits[0], +), batch: 3, inputSize: 224)
    /// ```
    /// - Throws: ``FeatureVisError/invalidArgument(name:value:valid:)`` for `accentuate` (its
    ///   batch is the photo) or a number out of range.
    public func recipe(for objective: Objective, batch: Int, size: Int? = nil, steps: Int? = nil,
                       learningRate: Float? = nil, seed: UInt64 = 0, spectrum: NaturalSpectrum? = nil,
                       inputSize: Int) throws -> Recipe {
        guard self != .accentuate else {
            throw FeatureVisError.invalidArgument(name: "method", value: rawValue, valid: "a method that starts from noise")
        }
        try validate("batch", batch, in: 1...64)
        // Any layer and channel: only the objective is replaced.
        var recipe = try self.recipe(layer: Objective.logits, channel: 0, size: size, steps: steps,
                                     learningRate: learningRate, seed: seed, samples: batch, spectrum: spectrum,
                                     inputSize: inputSize)
        let p = recipe.parameterization
        recipe.parameterization = ImageParameterization(batch: batch, height: p.height, width: p.width, basis: p.basis,
                                                        decorrelated: p.decorrelated, range: p.range,
                                                        standardDeviation: p.standardDeviation, seed: p.seed)
        recipe.objective = objective
        return recipe
    }
}
