import Foundation

/// A precomputed bilinear resampling of `[N, C, H, W]` images: for every output pixel, four source
/// taps and their weights, shared by all images and channels.
///
/// Plans describe warps such as rotation (resizing is the engine's `resizeBilinear`). A tap that falls outside the
/// source image reads a constant fill value instead, so warps are continuous at the border.
/// The sampling is linear in the image, so its gradient scatters the output gradient back
/// through the same taps (``sampleBilinear(_:_:fill:)``).
///
/// ```swift
/// let plan = BilinearSampler.rotation(height: 4, width: 4, degrees: 90)
/// let y = sampleBilinear(x, plan, fill: 0.5)   // [N, C, 4, 4]
/// ```
package struct BilinearSampler: Sendable {
    package let inputHeight: Int, inputWidth: Int
    package let outputHeight: Int, outputWidth: Int
    /// Four source offsets (`y * inputWidth + x`) per output pixel; `-1` reads the fill value.
    package let taps: [Int32]
    /// Four weights per output pixel, summing to 1.
    package let weights: [Float]

    /// A warp: output pixel centre `(x, y)` reads the source at `source(x, y)` (pixel-centre
    /// coordinates, `(0, 0)` is the top-left pixel's centre), bilinearly; taps outside read the fill.
    package static func warp(from input: (Int, Int), to output: (Int, Int),
                     source: (Double, Double) -> (x: Double, y: Double)) -> BilinearSampler {
        let (h, w) = input
        let count = output.0 * output.1 * 4
        func tap(_ y: Int, _ x: Int) -> Int32 { (0..<h).contains(y) && (0..<w).contains(x) ? Int32(y * w + x) : -1 }
        var weights = [Float](repeating: 0, count: count)
        let taps = [Int32](unsafeUninitializedCapacity: count) { taps, initialized in
            weights.withUnsafeMutableBufferPointer { weights in
                // Rows over the cores: a plan is made every step a random rotation is drawn.
                parallelFor(output.0, costPerItem: 64 * output.1) { rows in for oy in rows {
                    for ox in 0..<output.1 {
                        var (sx, sy) = source(Double(ox), Double(oy))
                        // Snap values within float noise of a pixel centre (rotations by 90°, identity).
                        if abs(sx - sx.rounded()) < 1e-9 { sx = sx.rounded() }
                        if abs(sy - sy.rounded()) < 1e-9 { sy = sy.rounded() }
                        let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                        let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                        let t = 4 * (oy * output.1 + ox)
                        (taps[t], taps[t + 1], taps[t + 2], taps[t + 3]) = (tap(y0, x0), tap(y0, x0 + 1), tap(y0 + 1, x0), tap(y0 + 1, x0 + 1))
                        (weights[t], weights[t + 1], weights[t + 2], weights[t + 3]) =
                            ((1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx)
                    }
                } }
            }
            initialized = count
        }
        return BilinearSampler(inputHeight: h, inputWidth: w, outputHeight: output.0, outputWidth: output.1,
                               taps: taps, weights: weights)
    }

    /// Rotation by `degrees` about the image centre, counter-clockwise as displayed (y points down).
    package static func rotation(height: Int, width: Int, degrees: Double) -> BilinearSampler {
        let theta = degrees * Double.pi / 180
        let c = Foundation.cos(theta), s = Foundation.sin(theta)
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        // The output pixel at offset (dx, dy) from the centre shows the source at R(θ)⁻¹ applied
        // on screen, i.e. (dx·c − dy·s, dx·s + dy·c) in image coordinates.
        return warp(from: (height, width), to: (height, width)) { x, y in
            let dx = x - cx, dy = y - cy
            return (cx + dx * c - dy * s, cy + dx * s + dy * c)
        }
    }

    /// Applies the plan to a plain tensor.
    package func apply(_ x: Tensor, fill: Float = 0) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] == inputHeight && x.shape[3] == inputWidth,
                     "sampler expects [N, C, \(inputHeight), \(inputWidth)], got \(x.shape)")
        let outCount = outputHeight * outputWidth
        return mapPlanes(x, from: (inputHeight, inputWidth), to: (outputHeight, outputWidth)) { s, d, taps, weights in
            for o in 0..<outCount {
                var acc: Float = 0
                for t in 4 * o..<4 * o + 4 {
                    let i = Int(taps[t])
                    acc += weights[t] * (i >= 0 ? s[i] : fill)
                }
                d[o] = acc
            }
        }
    }

    /// The transpose of ``apply(_:fill:)`` for the image (the fill is a constant): scatters an
    /// output gradient `[N, C, outH, outW]` to the input.
    package func applyTransposed(_ g: Tensor) -> Tensor {
        let outCount = outputHeight * outputWidth
        return mapPlanes(g, from: (outputHeight, outputWidth), to: (inputHeight, inputWidth)) { s, d, taps, weights in
            for o in 0..<outCount {
                let go = s[o]
                for t in 4 * o..<4 * o + 4 {
                    let i = Int(taps[t])
                    if i >= 0 { d[i] += weights[t] * go }
                }
            }
        }
    }

    /// A `[N, C, to.0, to.1]` tensor of zeros whose every plane `body` fills from the matching
    /// `from`-sized plane of `x`, given the taps and weights; planes are independent, so they are
    /// split over the cores.
    private func mapPlanes(_ x: Tensor, from: (Int, Int), to: (Int, Int),
                           _ body: (_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                    _ taps: UnsafeBufferPointer<Int32>, _ weights: UnsafeBufferPointer<Float>) -> Void)
        -> Tensor {
        let planes = x.shape[0] * x.shape[1]
        let inCount = from.0 * from.1, outCount = to.0 * to.1
        var out = [Float](repeating: 0, count: planes * outCount)
        x.scalars.withUnsafeBufferPointer { src in
            taps.withUnsafeBufferPointer { taps in
                weights.withUnsafeBufferPointer { weights in
                    out.withUnsafeMutableBufferPointer { dst in
                        parallelFor(planes, costPerItem: 4 * outputHeight * outputWidth) { range in
                            for p in range {
                                body(src.baseAddress! + p * inCount, dst.baseAddress! + p * outCount, taps, weights)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], to.0, to.1], scalars: out)
    }
}

/// Differentiable bilinear resampling of `[N, C, H, W]` by a precomputed plan.
package func sampleBilinear(_ x: Variable, _ plan: BilinearSampler, fill: Float = 0) -> Variable {
    x.tape.record(plan.apply(x.value, fill: fill), inputs: [x]) { g in [plan.applyTransposed(g)] }
}
