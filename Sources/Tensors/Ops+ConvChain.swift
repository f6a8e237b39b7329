// A 1×1 convolution with its activation, then a depthwise convolution, as one tape node — the
// first half of a MobileNet/EfficientNet inverted-residual block.
//
// The chain's pullback runs the depthwise adjoint kernel, which zeroes the gradient where the 1×1
// convolution's activation clipped while the gradient is still in registers, then feeds it straight
// into the 1×1 convolution's transposed product. Recorded as two nodes, the 1×1 pullback would make
// a separate masking pass over the widest tensor of the block (the expanded activation).
internal import CKernels

/// `depthwise(act₁(pointwise(x)))`: a 1×1 convolution (`pointwiseWeight` [C, Cin, 1, 1], bias,
/// `pointwiseActivation`) followed by a depthwise convolution (`depthwiseWeight` [C, 1, k, k], bias,
/// `stride`, `padding`, `activation`), differentiable with respect to `x`.
///
/// Equal to the two `conv2d` calls in sequence, value and gradient; faster in the backward pass.
/// The intermediate activation is not kept.
///
/// ```swift
/// let h = pointwiseDepthwise(x, pointwiseWeight: expandW, pointwiseBias: expandB,
///                            depthwiseWeight: dwW, depthwiseBias: dwB, stride: 2, padding: .same)
/// ```
public func pointwiseDepthwise(_ x: Variable, pointwiseWeight: Tensor, pointwiseBias: Tensor?,
                               pointwiseActivation: Activation = .relu6,
                               depthwiseWeight: Tensor, depthwiseBias: Tensor?, stride: Int = 1,
                               padding: Padding = .same, activation: Activation = .relu6) -> Variable {
    let first = ConvGeometry(input: x.shape, weight: pointwiseWeight.shape, stride: 1, padding: .symmetric(0), groups: 1)
    precondition(first.isPointwise, "pointwiseDepthwise: pointwise weight must be [C, Cin, 1, 1], got \(pointwiseWeight.shape)")
    let channels = first.outChannels
    let second = ConvGeometry(input: first.outputShape, weight: depthwiseWeight.shape, stride: stride,
                              padding: padding, groups: channels)
    precondition(second.isDepthwise || channels == 1,
                 "pointwiseDepthwise: depthwise weight must be [\(channels), 1, k, k], got \(depthwiseWeight.shape)")
    guard second.isDepthwise else {  // one channel: nothing to fuse
        let h = conv2d(x, weight: pointwiseWeight, bias: pointwiseBias, activation: pointwiseActivation)
        return conv2d(h, weight: depthwiseWeight, bias: depthwiseBias, stride: stride, padding: padding,
                      groups: 1, activation: activation)
    }
    if let b = pointwiseBias { precondition(b.count == channels, "pointwiseDepthwise: pointwise bias \(b.shape) for \(channels) channels") }
    if let b = depthwiseBias { precondition(b.count == channels, "pointwiseDepthwise: depthwise bias \(b.shape) for \(channels) channels") }
    let grad = x.needsGradient
    var firstMask: [UInt8]? = grad && pointwiseActivation != .none
        ? [UInt8](repeating: 0, count: first.batch * channels * first.maskPlane) : nil
    var secondMask: [UInt8]? = grad && activation != .none
        ? [UInt8](repeating: 0, count: second.batch * channels * second.maskPlane) : nil
    let hidden = convForward(x.value, weight: pointwiseWeight, bias: pointwiseBias, first, pointwiseActivation,
                             mask: &firstMask)
    let y = convForward(hidden, weight: depthwiseWeight, bias: depthwiseBias, second, activation, mask: &secondMask)
    return x.tape.record(y, inputs: [x]) { [firstMask, secondMask] g in
        let dh = makeScalars(second.batch * channels * second.inPlane) { dh in
            g.scalars.withUnsafeBufferPointer { gb in
                depthwiseWeight.scalars.withUnsafeBufferPointer { wb in
                    withOptionalPointer(secondMask) { m in
                        withOptionalPointer(firstMask) { inputMask in
                            depthwiseBackward(gb.baseAddress!, m, wb.baseAddress!, dh, second, inputMask: inputMask)
                        }
                    }
                }
            }
        }
        return [convInputGradient(Tensor(shape: first.outputShape, scalars: dh), mask: nil, weight: pointwiseWeight, first)]
    }
}
