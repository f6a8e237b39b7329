// 2-D convolution: forward kernel and input gradient, with fused bias and activation.
//
// Three paths, chosen by shape: 1×1 stride-1 convolutions are one sgemm per image and group;
// depthwise convolutions (groups == Cin == Cout) use a direct C kernel over channel planes; all
// others unfold the input (im2col) and multiply. The input gradient mirrors each path
// (Wᵀ·dY, then col2im; or the depthwise adjoint kernel).
internal import CBLAS
internal import CKernels

/// How a convolution or pooling pads its input.
public enum Padding: Equatable, Sendable {
    /// TensorFlow's "SAME": output size ⌈input / stride⌉; odd extra padding goes bottom/right.
    case same
    case explicit(top: Int, left: Int, bottom: Int, right: Int)

    /// The same padding `p` on all four sides (PyTorch's `padding=p`).
    public static func symmetric(_ p: Int) -> Padding { .explicit(top: p, left: p, bottom: p, right: p) }
}

/// An activation fused into a convolution's output.
public enum Activation: Sendable {
    case none, relu, relu6

    var code: Int32 {
        switch self {
        case .none: Int32(FV_ACT_NONE)
        case .relu: Int32(FV_ACT_RELU)
        case .relu6: Int32(FV_ACT_RELU6)
        }
    }
}

/// The sizes of one convolution, resolved from shapes, stride and padding.
struct ConvGeometry: Equatable {
    let batch, inChannels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let stride, groups: Int
    let padTop, padLeft: Int
    let outHeight, outWidth: Int

    init(input: [Int], weight: [Int], stride: Int, padding: Padding, groups: Int) {
        precondition(input.count == 4, "conv2d: input must be [N, C, H, W], got \(input)")
        precondition(weight.count == 4, "conv2d: weight must be [Cout, Cin/groups, kh, kw], got \(weight)")
        precondition(stride >= 1, "conv2d: stride \(stride) < 1")
        precondition(groups >= 1 && input[1] % groups == 0 && weight[0] % groups == 0,
                     "conv2d: groups \(groups) must divide Cin \(input[1]) and Cout \(weight[0])")
        precondition(weight[1] * groups == input[1],
                     "conv2d: weight \(weight) with groups \(groups) does not fit input channels \(input[1])")
        (batch, inChannels, height, width) = (input[0], input[1], input[2], input[3])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        self.stride = stride
        self.groups = groups
        switch padding {
        case .same:
            outHeight = (height + stride - 1) / stride
            outWidth = (width + stride - 1) / stride
            padTop = max((outHeight - 1) * stride + kernelHeight - height, 0) / 2
            padLeft = max((outWidth - 1) * stride + kernelWidth - width, 0) / 2
        case let .explicit(top, left, bottom, right):
            precondition(min(top, left, bottom, right) >= 0, "conv2d: negative padding \(padding)")
            padTop = top
            padLeft = left
            outHeight = (height + top + bottom - kernelHeight) / stride + 1
            outWidth = (width + left + right - kernelWidth) / stride + 1
        }
        precondition(outHeight > 0 && outWidth > 0,
                     "conv2d: kernel \(weight[2])×\(weight[3]) larger than padded input \(input)")
    }

    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }
    var groupIn: Int { inChannels / groups }
    var groupOut: Int { outChannels / groups }
    /// Rows of the unfolded input: one per (input channel of a group, ky, kx).
    var patch: Int { groupIn * kernelHeight * kernelWidth }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var isDepthwise: Bool { groups == inChannels && groups == outChannels && groups > 1 }
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padTop == 0 && padLeft == 0
            && outHeight == height && outWidth == width
    }
}

extension Tensor {
    /// Convolves NCHW images with `weight` [Cout, Cin/groups, kh, kw], adds `bias`, applies `activation`.
    ///
    /// The forward kernel behind ``conv2d(_:weight:bias:stride:padding:groups:activation:)``.
    ///
    /// ```swift
    /// let y = x.conv2d(weight: w, bias: b, stride: 2, padding: .same, activation: .relu6)
    /// ```
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Padding = .symmetric(0),
                       groups: Int = 1, activation: Activation = .none) -> Tensor {
        let geo = ConvGeometry(input: shape, weight: weight.shape, stride: stride, padding: padding, groups: groups)
        if let bias { precondition(bias.count == geo.outChannels, "conv2d: bias \(bias.shape) for \(geo.outChannels) channels") }
        return convForward(self, weight: weight, bias: bias, geo, activation)
    }
}

/// Differentiable 2-D convolution of NCHW images `x` (gradient with respect to `x` only).
///
/// `weight` is [Cout, Cin/groups, kh, kw] (PyTorch layout); `bias` is [Cout]. The activation is
/// fused: its mask is read back from the output, so nothing extra is stored.
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: 2, padding: .same, groups: 32, activation: .relu6)
/// ```
public func conv2d(_ x: Variable, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                   padding: Padding = .symmetric(0), groups: Int = 1,
                   activation: Activation = .none) -> Variable {
    let geo = ConvGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding, groups: groups)
    if let bias { precondition(bias.count == geo.outChannels, "conv2d: bias \(bias.shape) for \(geo.outChannels) channels") }
    let y = convForward(x.value, weight: weight, bias: bias, geo, activation)
    return x.tape.record(y, inputs: [x]) { g in
        var g = g
        g.maskActivation(activation, output: y)
        return [convInputGradient(g, weight: weight, geo)]
    }
}

extension Tensor {
    /// Zeroes the gradient where `activation` clipped its output `y`.
    mutating func maskActivation(_ activation: Activation, output y: Tensor) {
        guard activation != .none else { return }
        let n = count
        scalars.withUnsafeMutableBufferPointer { g in
            y.scalars.withUnsafeBufferPointer { yv in
                fv_activation_mask(g.baseAddress!, yv.baseAddress!, n, activation.code)
            }
        }
    }
}

/// A buffer of `count` floats handed to `body` uninitialized-then-filled, returned as an array.
@inline(__always)
func makeScalars(_ count: Int, zeroed: Bool = false, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if zeroed { buffer.baseAddress!.initialize(repeating: 0, count: count) }
        if count > 0 { body(buffer.baseAddress!) }
        initialized = count
    }
}

func convForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ geo: ConvGeometry, _ act: Activation) -> Tensor {
    let out = makeScalars(geo.batch * geo.outChannels * geo.outPlane) { y in
        x.scalars.withUnsafeBufferPointer { xb in
            weight.scalars.withUnsafeBufferPointer { wb in
                withOptionalPointer(bias?.scalars) { b in
                    let xp = xb.baseAddress!, wp = wb.baseAddress!
                    if geo.isDepthwise {
                        depthwiseForward(xp, wp, b, y, geo, act)
                    } else {
                        gemmForward(xp, wp, y, geo)
                        for n in 0..<geo.batch {
                            fv_bias_activation(y + n * geo.outChannels * geo.outPlane, b,
                                               Int32(geo.outChannels), Int32(geo.outPlane), act.code)
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: geo.outputShape, scalars: out)
}

func convInputGradient(_ dy: Tensor, weight: Tensor, _ geo: ConvGeometry) -> Tensor {
    let zeroed = !geo.isDepthwise  // the depthwise kernel overwrites; col2im accumulates
    let out = makeScalars(geo.batch * geo.inChannels * geo.inPlane, zeroed: zeroed) { dx in
        dy.scalars.withUnsafeBufferPointer { gb in
            weight.scalars.withUnsafeBufferPointer { wb in
                if geo.isDepthwise {
                    depthwiseBackward(gb.baseAddress!, wb.baseAddress!, dx, geo)
                } else {
                    gemmBackward(gb.baseAddress!, wb.baseAddress!, dx, geo)
                }
            }
        }
    }
    return Tensor(shape: [geo.batch, geo.inChannels, geo.height, geo.width], scalars: out)
}

@inline(__always)
func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
}

// MARK: - GEMM paths

/// Y[n, g] = W[g] · unfold(X[n, g]) for every image and group.
private func gemmForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         _ geo: ConvGeometry) {
    let col: UnsafeMutablePointer<Float>? = geo.isPointwise ? nil : .allocate(capacity: geo.patch * geo.outPlane)
    defer { col?.deallocate() }
    for n in 0..<geo.batch {
        for g in 0..<geo.groups {
            let xg = x + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane
            var source = xg
            if let col {
                fv_im2col(xg, Int32(geo.groupIn), Int32(geo.height), Int32(geo.width),
                          Int32(geo.kernelHeight), Int32(geo.kernelWidth), Int32(geo.stride),
                          Int32(geo.padTop), Int32(geo.padLeft), Int32(geo.outHeight), Int32(geo.outWidth), col)
                source = UnsafePointer(col)
            }
            sgemm(m: geo.groupOut, n: geo.outPlane, k: geo.patch,
                  w + g * geo.groupOut * geo.patch, lda: geo.patch, source, ldb: geo.outPlane,
                  y + (n * geo.outChannels + g * geo.groupOut) * geo.outPlane, ldc: geo.outPlane)
        }
    }
}

/// dX[n, g] = fold(W[g]ᵀ · dY[n, g]); `dx` must be zeroed.
private func gemmBackward(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                          _ geo: ConvGeometry) {
    let col: UnsafeMutablePointer<Float>? = geo.isPointwise ? nil : .allocate(capacity: geo.patch * geo.outPlane)
    defer { col?.deallocate() }
    for n in 0..<geo.batch {
        for g in 0..<geo.groups {
            let dxg = dx + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane
            let target = col ?? dxg
            sgemm(transA: true, m: geo.patch, n: geo.outPlane, k: geo.groupOut,
                  w + g * geo.groupOut * geo.patch, lda: geo.patch,
                  dy + (n * geo.outChannels + g * geo.groupOut) * geo.outPlane, ldb: geo.outPlane,
                  target, ldc: geo.outPlane)
            if let col {
                fv_col2im(col, Int32(geo.groupIn), Int32(geo.height), Int32(geo.width),
                          Int32(geo.kernelHeight), Int32(geo.kernelWidth), Int32(geo.stride),
                          Int32(geo.padTop), Int32(geo.padLeft), Int32(geo.outHeight), Int32(geo.outWidth), dxg)
            }
        }
    }
}

// MARK: - Depthwise path

private func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>?,
                              _ y: UnsafeMutablePointer<Float>, _ geo: ConvGeometry, _ act: Activation) {
    let planes = geo.batch * geo.inChannels
    let cost = geo.outPlane * geo.kernelHeight * geo.kernelWidth
    parallelFor(planes, costPerItem: cost) { r in
        fv_depthwise_forward(x + r.lowerBound * geo.inPlane, w, b, y + r.lowerBound * geo.outPlane,
                             Int32(r.count), Int32(r.lowerBound % geo.inChannels), Int32(geo.inChannels),
                             Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight), Int32(geo.kernelWidth),
                             Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft),
                             Int32(geo.outHeight), Int32(geo.outWidth), act.code)
    }
}

private func depthwiseBackward(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                               _ geo: ConvGeometry) {
    let planes = geo.batch * geo.inChannels
    let cost = geo.outPlane * geo.kernelHeight * geo.kernelWidth
    parallelFor(planes, costPerItem: cost) { r in
        fv_depthwise_backward(dy + r.lowerBound * geo.outPlane, w, dx + r.lowerBound * geo.inPlane,
                              Int32(r.count), Int32(r.lowerBound % geo.inChannels), Int32(geo.inChannels),
                              Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight), Int32(geo.kernelWidth),
                              Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft),
                              Int32(geo.outHeight), Int32(geo.outWidth))
    }
}
