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
    /// MACO's transparency map `[N, 1, H, W]` in [0, 1]: the accumulated `|∂objective/∂image|`,
    /// averaged over colour, divided by its 99th percentile and clipped — bright where the
    /// objective depends on the image.
    public var attribution: Tensor?

    /// The transparency map of an accumulated gradient magnitude `[N, 3, H, W]`.
    static func transparency(_ accumulated: Tensor) -> Tensor {
        let (n, h, w) = (accumulated.shape[0], accumulated.shape[2], accumulated.shape[3])
        let plane = h * w
        var out = [Float](repeating: 0, count: n * plane)
        for b in 0..<n {
            for p in 0..<plane {
                out[b * plane + p] = (0..<3).reduce(0) { $0 + accumulated.scalars[(b * 3 + $1) * plane + p] } / 3
            }
            let sorted = out[(b * plane)..<((b + 1) * plane)].sorted()
            let top = max(sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))], 1e-12)
            for p in 0..<plane { out[b * plane + p] = min(out[b * plane + p] / top, 1) }
        }
        return Tensor(shape: [n, 1, h, w], scalars: out)
    }

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
