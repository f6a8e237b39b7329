import Tensors

/// The result of one of ``FeatureVisualizer``'s methods: the images, how the objective evolved,
/// how long it took, and (when measured) quality metrics.
///
/// ```swift
/// let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 3)
/// try PNG.write(v.image, to: "channel3.png")
/// print(v.metrics!.activationRatio!)
/// ```
public struct Visualization: Sendable {
    public let method: Method
    public let layer: String
    public let channel: Int
    /// `[N, 3, H, W]` in [0, 1].
    public let image: Tensor
    /// The objective's value at every optimization step (for multiscale, all octaves in order).
    public let history: [Float]
    /// Wall-clock seconds of the optimization (metrics not included).
    public let seconds: Double
    /// Quality metrics, when requested.
    public var metrics: QualityMetrics?
    /// The objective that was maximized, as a readable name.
    public let objective: String

    public init(method: Method, layer: String, channel: Int, image: Tensor, history: [Float], seconds: Double,
                metrics: QualityMetrics? = nil, objective: String) {
        self.method = method
        self.layer = layer
        self.channel = channel
        self.image = image
        self.history = history
        self.seconds = seconds
        self.metrics = metrics
        self.objective = objective
    }
}
