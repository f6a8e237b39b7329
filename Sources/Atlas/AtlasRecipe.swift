/// How every channel of an atlas is rendered: one value, recorded in the atlas folder's
/// `atlas.json`, so shards that share a folder never mix recipes.
///
/// The images are Lucid's default parameterization (Fourier with 1/f scaling, decorrelated
/// colour, sigmoid) with the standard transforms, resized to the network's input size, like
/// `fvbook visualize`; only the steps differ from the book's default render. Channels are
/// rendered ``batch`` at a time (image i maximizes channel i), in fixed groups of consecutive
/// channels, so a channel's bytes depend on the recipe alone, never on the shard it lands in.
///
/// ```swift
/// var recipe = AtlasRecipe.standard
/// recipe.steps = 64          // a quick look
/// ```
public struct AtlasRecipe: Codable, Equatable, Sendable {
    /// Optimization steps per batch.
    public var steps: Int
    /// Image side in pixels.
    public var size: Int
    /// Channels rendered together (image i of a batch maximizes its channel i).
    public var batch: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Mixed into every channel's seed: a different atlas of the same recipe.
    public var seed: UInt64
    /// Natural patches kept per channel.
    public var patches: Int
    /// Side of the thumbnail PNG.
    public var thumbnail: Int

    public init(steps: Int, size: Int, batch: Int, learningRate: Float = 0.05, seed: UInt64 = 0,
                patches: Int = 4, thumbnail: Int = 64) {
        self.steps = steps
        self.size = size
        self.batch = batch
        self.learningRate = learningRate
        self.seed = seed
        self.patches = patches
        self.thumbnail = thumbnail
    }

    /// The atlas's default: 256 steps at 128 px, 8 channels a batch.
    public static let standard = AtlasRecipe(steps: 256, size: 128, batch: 8)

    /// Throws for numbers no render can use.
    func validate() throws {
        try check("steps", steps, 1...100_000)
        try check("size", size, 16...1024)
        try check("batch", batch, 1...64)
        try check("patches", patches, 0...16)
        try check("thumbnail", thumbnail, 8...512)
        guard learningRate > 0, learningRate.isFinite else {
            throw AtlasError.invalidArgument("learning rate", "\(learningRate)", "finite and > 0")
        }
    }

    private func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw AtlasError.invalidArgument(name, "\(value)", "\(range.lowerBound)…\(range.upperBound)")
        }
    }
}
