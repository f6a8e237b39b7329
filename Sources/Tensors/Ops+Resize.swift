// Bilinear resizing of the last two dimensions with PyTorch's `F.interpolate(mode: "bilinear")`
// semantics, so images and activations match PyTorch pixel for pixel.

internal import CKernels

/// For each output coordinate: the two source indices and the weight of the second.
struct LinearTaps {
    var lower: [Int32] = [], upper: [Int32] = [], weight: [Float] = []

    /// PyTorch: align_corners → src = dst·(in−1)/(out−1); otherwise src = (dst+0.5)·in/out − 0.5,
    /// clamped at 0; then lower = ⌊src⌋, upper = min(lower+1, in−1).
    init(input: Int, output: Int, alignCorners: Bool) {
        let scale: Float = alignCorners
            ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0)
            : Float(input) / Float(output)
        for d in 0..<output {
            let src = alignCorners ? Float(d) * scale : max((Float(d) + 0.5) * scale - 0.5, 0)
            let lo = min(Int(src), input - 1)
            lower.append(Int32(lo))
            upper.append(Int32(min(lo + 1, input - 1)))
            weight.append(src - Float(lo))
        }
    }
}

/// Resizes H and W bilinearly (PyTorch's `interpolate(..., mode: "bilinear", align_corners:)`).
///
/// ```swift
/// let upsampled = resizeBilinear(x, height: 224, width: 224)
/// ```
public func resizeBilinear(_ x: Variable, height: Int, width: Int, alignCorners: Bool = false) -> Variable {
    let shape = x.shape
    precondition(shape.count >= 2 && height > 0 && width > 0, "resizeBilinear: \(shape) to \(height)×\(width)")
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let planes = shape.dropLast(2).reduce(1, *)
    let rows = LinearTaps(input: h, output: height, alignCorners: alignCorners)
    let cols = LinearTaps(input: w, output: width, alignCorners: alignCorners)
    let out = makeScalars(planes * height * width) { o in
        x.value.scalars.withUnsafeBufferPointer { src in
            // Output rows are independent: split them (of all planes) over the cores.
            parallelFor(planes * height, costPerItem: 8 * width) { range in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * width)
                defer { scratch.deallocate() }
                fv_resize_rows(src.baseAddress!, Int32(h), Int32(w), o, Int32(height), Int32(width),
                               rows.lower, rows.upper, rows.weight, cols.lower, cols.upper, cols.weight,
                               Int32(range.lowerBound), Int32(range.upperBound), scratch)
            }
        }
    }
    return x.tape.record(Tensor(shape: shape.dropLast(2) + [height, width], scalars: out), inputs: [x]) { g in
        let dx = makeScalars(planes * h * w, zeroed: true) { d in
            g.scalars.withUnsafeBufferPointer { gb in
                // By rows of the source, so that an image's three planes share the threads.
                parallelFor(planes * h, costPerItem: 16 * height * width / h) { range in
                    fv_resize_rows_adjoint(gb.baseAddress!, Int32(height), Int32(width), d, Int32(h), Int32(w),
                                           rows.lower, rows.upper, rows.weight, cols.lower, cols.upper, cols.weight,
                                           Int32(range.lowerBound), Int32(range.upperBound))
                }
            }
        }
        return [Tensor(shape: shape, scalars: dx)]
    }
}
