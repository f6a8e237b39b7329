import Tensors

/// A convolution whose BatchNorm has been folded into its weights, followed by its activation.
///
/// Feature visualization only ever runs networks in inference mode, where BatchNorm is an affine
/// map per channel; folding it into the preceding convolution at load time removes a pass over
/// every activation and its pullback. The layer is a plain value: weights are constants captured
/// by the convolution's pullback, only the input gets a gradient.
///
/// ```swift
/// let stem = try ConvLayer(checkpoint, conv: "_conv_stem", batchNorm: "_bn0", eps: 1e-3,
///                          in: 3, out: 32, kernel: 3, stride: 2, padding: .same, activation: .relu6)
/// let y = stem(x)   // [N, 32, H/2, W/2]
/// ```
public struct ConvLayer: Sendable {
    /// `[out, in / groups, kernel, kernel]`, BatchNorm scale folded in.
    public let weight: Tensor
    /// `[out]`, BatchNorm shift folded in; nil for a convolution without bias or BatchNorm.
    public let bias: Tensor?
    public let stride: Int
    public let padding: Padding
    public let groups: Int
    public let activation: Activation

    public var outChannels: Int { weight.shape[0] }

    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding = .symmetric(0),
                groups: Int = 1, activation: Activation = .none) {
        precondition(weight.rank == 4, "convolution weight must be [out, in/groups, kh, kw], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "bias \(bias!.shape) for \(weight.shape[0]) outputs")
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.activation = activation
    }

    /// Reads `<conv>.weight` (and `<conv>.bias` when `hasBias`) and, when `batchNorm` names a
    /// module, its `weight`, `bias`, `running_mean` and `running_var`, folding them together.
    ///
    /// - Throws: ``CheckpointError/missingKey(file:key:closest:)`` or
    ///   ``CheckpointError/shapeMismatch(file:key:expected:found:)`` naming the key.
    public init(_ checkpoint: Checkpoint, conv: String, hasBias: Bool = false, batchNorm: String? = nil,
                eps: Float = 1e-5, in inChannels: Int, out outChannels: Int, kernel: Int, stride: Int = 1,
                padding: Padding = .symmetric(0), groups: Int = 1, activation: Activation = .none) throws {
        var weight = try checkpoint.tensor(conv + ".weight", shape: [outChannels, inChannels / groups, kernel, kernel])
        var bias = hasBias ? try checkpoint.tensor(conv + ".bias", shape: [outChannels]) : nil
        if let batchNorm {
            let norm = try BatchNorm(checkpoint, prefix: batchNorm, channels: outChannels, eps: eps)
            (weight, bias) = norm.folded(into: weight, bias: bias)
        }
        self.init(weight: weight, bias: bias, stride: stride, padding: padding, groups: groups, activation: activation)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, groups: groups, activation: activation)
    }

    /// The same convolution with another activation (for reading a layer before its ReLU).
    public func with(activation: Activation) -> ConvLayer {
        ConvLayer(weight: weight, bias: bias, stride: stride, padding: padding, groups: groups, activation: activation)
    }
}

/// Inference-mode BatchNorm statistics: `y = γ (x − mean) / √(var + eps) + β` per channel.
public struct BatchNorm: Sendable {
    public let gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor
    public let eps: Float

    public init(gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, eps: Float) {
        precondition([beta.shape, mean.shape, variance.shape].allSatisfy { $0 == gamma.shape } && gamma.rank == 1,
                     "BatchNorm parameters must be equal 1-D shapes")
        self.gamma = gamma
        self.beta = beta
        self.mean = mean
        self.variance = variance
        self.eps = eps
    }

    /// Reads `<prefix>.weight`, `.bias`, `.running_mean` and `.running_var` (PyTorch's names).
    public init(_ checkpoint: Checkpoint, prefix: String, channels: Int, eps: Float) throws {
        self.init(gamma: try checkpoint.tensor(prefix + ".weight", shape: [channels]),
                  beta: try checkpoint.tensor(prefix + ".bias", shape: [channels]),
                  mean: try checkpoint.tensor(prefix + ".running_mean", shape: [channels]),
                  variance: try checkpoint.tensor(prefix + ".running_var", shape: [channels]),
                  eps: eps)
    }

    /// Folds this normalization into the layer before it (`weight` has the channels first):
    /// `w' = w·s`, `b' = β + (b − mean)·s` with `s = γ / √(var + eps)` and `b` the layer's own
    /// bias (0 when it has none). Computed in Double, then rounded once.
    public func folded(into weight: Tensor, bias: Tensor?) -> (weight: Tensor, bias: Tensor) {
        let channels = gamma.count
        precondition(weight.shape.first == channels, "weight \(weight.shape) for \(channels) BatchNorm channels")
        let perChannel = weight.count / channels
        var w = weight.scalars
        var b = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let scale = Double(gamma.scalars[c]) / (Double(variance.scalars[c]) + Double(eps)).squareRoot()
            for i in (c * perChannel)..<((c + 1) * perChannel) { w[i] = Float(Double(w[i]) * scale) }
            let ownBias = Double(bias?.scalars[c] ?? 0)
            b[c] = Float(Double(beta.scalars[c]) + (ownBias - Double(mean.scalars[c])) * scale)
        }
        return (Tensor(shape: weight.shape, scalars: w), Tensor(shape: [channels], scalars: b))
    }
}

/// A fully connected layer in PyTorch's layout: `weight` is `[out, in]`.
public struct LinearLayer: Sendable {
    public let weight: Tensor
    public let bias: Tensor?

    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
    }

    /// Reads `<prefix>.weight` `[out, in]` and `<prefix>.bias` `[out]`.
    public init(_ checkpoint: Checkpoint, prefix: String, in inFeatures: Int, out outFeatures: Int) throws {
        self.init(weight: try checkpoint.tensor(prefix + ".weight", shape: [outFeatures, inFeatures]),
                  bias: try checkpoint.tensor(prefix + ".bias", shape: [outFeatures]))
    }

    public var outFeatures: Int { weight.shape[0] }

    /// `x` is `[N, in]`; the result `[N, out]`.
    public func callAsFunction(_ x: Variable) -> Variable { linear(x, weight: weight, bias: bias) }
}
