import Models

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
public enum Method: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case basic, naive, multiscale, diverse
    case summedScales = "summed-scales"

    public var description: String { rawValue }

    /// The default image side, steps and learning rate (nil side: the network's input size).
    var defaults: (size: Int?, steps: Int, learningRate: Float) {
        switch self {
        case .naive, .summedScales: return (nil, 100, 0.1)
        case .basic, .multiscale, .diverse: return (128, 512, 0.05)
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
    /// - Throws: ``FeatureVisError/invalidArgument(name:value:valid:)`` for a size or sample count
    ///   out of range (everything else is checked by ``render(_:on:progress:)``).
    public func recipe(layer: String, channel: Int, size: Int? = nil, steps: Int? = nil, learningRate: Float? = nil,
                       seed: UInt64 = 0, samples: Int = 4, diversityWeight: Float = 10, octaves: Int = 3,
                       octaveScale: Double = 1.5, inputSize: Int) throws -> Recipe {
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
        case .basic, .naive, .diverse: scales = .single
        }
        return Recipe(objective, from: image, optimizer: .adam(learningRate: learningRate ?? defaults.learningRate),
                      transforms: regularized ? Transform.standard : [], steps: steps ?? defaults.steps,
                      // The transforms draw from their own stream, so changing the steps never changes the start.
                      seed: seed ^ 0x7A5F_0F1E_5EED_0001, scales: scales)
    }
}
