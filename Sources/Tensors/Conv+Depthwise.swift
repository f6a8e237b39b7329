// The depthwise path of conv2d (groups == Cin == Cout): the C kernels over (image, channel) planes,
// split across the engine's threads.
internal import CKernels

func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>?,
                      _ y: UnsafeMutablePointer<Float>, _ mask: UnsafeMutablePointer<UInt8>?,
                      _ geo: ConvGeometry, _ act: Activation) {
    let planes = geo.batch * geo.inChannels
    countDepthwise(planes: planes, geo)
    parallelFor(planes, costPerItem: geo.outPlane * geo.kernelHeight * geo.kernelWidth) { r in
        fv_depthwise_forward(x + r.lowerBound * geo.inPlane, w, b, y + r.lowerBound * geo.outPlane,
                             Int32(r.count), Int32(r.lowerBound % geo.inChannels), Int32(geo.inChannels),
                             Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight), Int32(geo.kernelWidth),
                             Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft),
                             Int32(geo.outHeight), Int32(geo.outWidth), act.code,
                             mask.map { $0 + r.lowerBound * geo.maskPlane })
    }
}

/// `inputMask` (optional) is the activation mask of the op that produced the input: the gradient
/// is zeroed where it clipped as it is stored, saving that op's pullback a pass.
func depthwiseBackward(_ dy: UnsafePointer<Float>, _ mask: UnsafePointer<UInt8>?, _ w: UnsafePointer<Float>,
                       _ dx: UnsafeMutablePointer<Float>, _ geo: ConvGeometry,
                       inputMask: UnsafePointer<UInt8>? = nil) {
    let inputMaskPlane = geo.height * ((geo.width + 7) / 8)
    let planes = geo.batch * geo.inChannels
    countDepthwise(planes: planes, geo)
    parallelFor(planes, costPerItem: geo.outPlane * geo.kernelHeight * geo.kernelWidth) { r in
        fv_depthwise_backward(dy + r.lowerBound * geo.outPlane, mask.map { $0 + r.lowerBound * geo.maskPlane },
                              w, dx + r.lowerBound * geo.inPlane,
                              Int32(r.count), Int32(r.lowerBound % geo.inChannels), Int32(geo.inChannels),
                              Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight), Int32(geo.kernelWidth),
                              Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft),
                              Int32(geo.outHeight), Int32(geo.outWidth),
                              inputMask.map { $0 + r.lowerBound * inputMaskPlane })
    }
}
