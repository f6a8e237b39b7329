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
/// fused; where it clipped is kept as a bit mask (1/32 of the output's size) for the pullback.
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: 2, padding: .same, groups: 32, activation: .relu6)
/// ```
public func conv2d(_ x: Variable, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                   padding: Padding = .symmetric(0), groups: Int = 1,
                   activation: Activation = .none) -> Variable {
    let geo = ConvGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding, groups: groups)
    if let bias { precondition(bias.count == geo.outChannels, "conv2d: bias \(bias.shape) for \(geo.outChannels) channels") }
    var mask: [UInt8]? = activation != .none && x.needsGradient
        ? [UInt8](repeating: 0, count: geo.batch * geo.outChannels * geo.maskPlane) : nil
    let y = convForward(x.value, weight: weight, bias: bias, geo, activation, mask: &mask)
    return x.tape.record(y, inputs: [x]) { [mask] g in
        [convInputGradient(g, mask: mask, weight: weight, geo)]
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

extension ConvGeometry {
    /// Bytes of activation mask per output plane: ⌈wo/8⌉ per row.
    var maskPlane: Int { outHeight * ((outWidth + 7) / 8) }
}

/// The convolution's output; fills `mask` (when given) with where the activation passed.
func convForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ geo: ConvGeometry, _ act: Activation,
                 mask: inout [UInt8]?) -> Tensor {
    let out = makeScalars(geo.batch * geo.outChannels * geo.outPlane) { y in
        x.scalars.withUnsafeBufferPointer { xb in
            weight.scalars.withUnsafeBufferPointer { wb in
                withOptionalPointer(bias?.scalars) { b in
                    withOptionalMutablePointer(&mask) { m in
                        let xp = xb.baseAddress!, wp = wb.baseAddress!
                        if geo.isDepthwise {
                            depthwiseForward(xp, wp, b, y, m, geo, act)
                        } else {
                            gemmForward(xp, wp, b, y, m, geo, act)
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: geo.outputShape, scalars: out)
}

func convForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ geo: ConvGeometry, _ act: Activation) -> Tensor {
    var none: [UInt8]? = nil
    return convForward(x, weight: weight, bias: bias, geo, act, mask: &none)
}

/// The input gradient for output gradient `dy`, zeroed where the activation `mask` says it clipped.
func convInputGradient(_ dy: Tensor, mask: [UInt8]?, weight: Tensor, _ geo: ConvGeometry) -> Tensor {
    let zeroed = !geo.isDepthwise && !geo.isPointwise  // col2im accumulates; the others overwrite
    let out = makeScalars(geo.batch * geo.inChannels * geo.inPlane, zeroed: zeroed) { dx in
        dy.scalars.withUnsafeBufferPointer { gb in
            weight.scalars.withUnsafeBufferPointer { wb in
                withOptionalPointer(mask) { m in
                    if geo.isDepthwise {
                        depthwiseBackward(gb.baseAddress!, m, wb.baseAddress!, dx, geo)
                    } else {
                        gemmBackward(gb.baseAddress!, m, wb.baseAddress!, dx, geo)
                    }
                }
            }
        }
    }
    return Tensor(shape: [geo.batch, geo.inChannels, geo.height, geo.width], scalars: out)
}

@inline(__always)
func withOptionalPointer<T, R>(_ a: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
}

@inline(__always)
func withOptionalMutablePointer<T, R>(_ a: inout [T]?, _ body: (UnsafeMutablePointer<T>?) -> R) -> R {
    guard a != nil else { return body(nil) }
    return a!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
