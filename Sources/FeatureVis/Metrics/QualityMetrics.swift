/// Numbers that say how good a visualization is, instead of asserting it by eye.
///
/// * ``activationRatio`` — the channel's mean activation on the visualization divided by the best
///   mean activation over natural-image patches: above 1, the image excites the channel more than
///   any photo patch does.
/// * ``robustness`` — the activation kept under random standard transforms, relative to the
///   untransformed image: a real feature survives a few pixels of shift, scale and rotation; an
///   adversarial pattern does not.
/// * ``highFrequencyShare`` — the share of the grey image's spectral energy above half the Nyquist
///   frequency: high for noise-like images.
/// * ``batchSimilarity`` — for batches, the mean pairwise cosine similarity of the images'
///   activations at the layer: lower is more diverse.
///
/// For a batch, the per-image numbers are means over the images.
public struct QualityMetrics: Sendable, Codable, Equatable {
    /// The last value of the optimized objective.
    public var objective: Float?
    /// The channel's spatial mean activation on the image, resized to the network's input size.
    public var activation: Float
    /// The best such activation over the natural-image patches, if photos were available.
    public var naturalBest: Float?
    /// ``activation`` ÷ ``naturalBest``.
    public var activationRatio: Float?
    /// Mean activation under 16 seeded random standard transforms ÷ ``activation``.
    public var robustness: Float
    /// Share of spectral energy (DC removed) above half the Nyquist frequency, in [0, 1].
    public var highFrequencyShare: Float
    /// Mean pairwise cosine similarity of the batch's activations (nil for one image).
    public var batchSimilarity: Float?

    public init(objective: Float?, activation: Float, naturalBest: Float?, robustness: Float,
                highFrequencyShare: Float, batchSimilarity: Float?) {
        self.objective = objective
        self.activation = activation
        self.naturalBest = naturalBest
        self.activationRatio = naturalBest.map { activation / $0 }
        self.robustness = robustness
        self.highFrequencyShare = highFrequencyShare
        self.batchSimilarity = batchSimilarity
    }
}
