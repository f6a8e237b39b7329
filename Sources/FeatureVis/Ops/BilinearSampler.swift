import Foundation
import Tensors

/// A precomputed bilinear resampling of `[N, C, H, W]` images: for every output pixel, four source
/// taps and their weights, shared by all images and channels.
///
/// One plan type covers resizing (PyTorch `interpolate(mode: "bilinear")` semantics, with or
/// without `align_corners`) and affine warps such as rotation. A tap that falls outside the
/// source image reads a constant fill value instead, so warps are continuous at the border.
/// The sampling is linear in the image, so its gradient scatters the output gradient back
/// through the same taps (``sampleBilinear(_:_:fill:)``).
///
/// ```swift
/// let plan = BilinearSampler.resize(from: (2, 2), to: (4, 4))
/// let y = sampleBilinear(x, plan)   // [N, C, 4, 4]
/// ```
struct BilinearSampler: Sendable {
    let inputHeight: Int, inputWidth: Int
    let outputHeight: Int, outputWidth: Int
    /// Four source offsets (`y * inputWidth + x`) per output pixel; `-1` reads the fill value.
    let taps: [Int32]
    /// Four weights per output pixel, summing to 1.
    let weights: [Float]

    /// PyTorch's bilinear resize. Without `alignCorners`, pixel centres map as
    /// `src = (dst + 0.5) · in/out − 0.5`, clamped at 0; with it, corners map to corners.
    static func resize(from input: (Int, Int), to output: (Int, Int), alignCorners: Bool = false) -> BilinearSampler {
        func axis(_ inSize: Int, _ outSize: Int) -> [(Int, Int, Float)] {
            (0..<outSize).map { d in
                let src: Double
                if alignCorners {
                    src = outSize > 1 ? Double(d) * Double(inSize - 1) / Double(outSize - 1) : 0
                } else {
                    src = max(0, (Double(d) + 0.5) * Double(inSize) / Double(outSize) - 0.5)
                }
                let i0 = min(Int(src.rounded(.down)), inSize - 1)
                let i1 = min(i0 + 1, inSize - 1)
                return (i0, i1, Float(src - Double(i0)))
            }
        }
        let ys = axis(input.0, output.0), xs = axis(input.1, output.1)
        var taps = [Int32](), weights = [Float]()
        taps.reserveCapacity(output.0 * output.1 * 4)
        weights.reserveCapacity(output.0 * output.1 * 4)
        for (y0, y1, fy) in ys {
            for (x0, x1, fx) in xs {
                taps += [y0 * input.1 + x0, y0 * input.1 + x1, y1 * input.1 + x0, y1 * input.1 + x1].map { Int32($0) }
                weights += [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx]
            }
        }
        return BilinearSampler(inputHeight: input.0, inputWidth: input.1, outputHeight: output.0,
                               outputWidth: output.1, taps: taps, weights: weights)
    }

    /// A warp: output pixel centre `(x, y)` reads the source at `source(x, y)` (pixel-centre
    /// coordinates, `(0, 0)` is the top-left pixel's centre), bilinearly; taps outside read the fill.
    static func warp(from input: (Int, Int), to output: (Int, Int),
                     source: (Double, Double) -> (x: Double, y: Double)) -> BilinearSampler {
        let (h, w) = input
        var taps = [Int32](), weights = [Float]()
        taps.reserveCapacity(output.0 * output.1 * 4)
        weights.reserveCapacity(output.0 * output.1 * 4)
        func tap(_ y: Int, _ x: Int) -> Int32 { (0..<h).contains(y) && (0..<w).contains(x) ? Int32(y * w + x) : -1 }
        for oy in 0..<output.0 {
            for ox in 0..<output.1 {
                var (sx, sy) = source(Double(ox), Double(oy))
                // Snap values within float noise of a pixel centre (rotations by 90°, identity).
                if abs(sx - sx.rounded()) < 1e-9 { sx = sx.rounded() }
                if abs(sy - sy.rounded()) < 1e-9 { sy = sy.rounded() }
                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                taps += [tap(y0, x0), tap(y0, x0 + 1), tap(y0 + 1, x0), tap(y0 + 1, x0 + 1)]
                weights += [(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx]
            }
        }
        return BilinearSampler(inputHeight: h, inputWidth: w, outputHeight: output.0, outputWidth: output.1,
                               taps: taps, weights: weights)
    }

    /// Rotation by `degrees` about the image centre, counter-clockwise as displayed (y points down).
    static func rotation(height: Int, width: Int, degrees: Double) -> BilinearSampler {
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
    func apply(_ x: Tensor, fill: Float = 0) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] == inputHeight && x.shape[3] == inputWidth,
                     "sampler expects [N, C, \(inputHeight), \(inputWidth)], got \(x.shape)")
        let planes = x.shape[0] * x.shape[1]
        let inCount = inputHeight * inputWidth, outCount = outputHeight * outputWidth
        var out = [Float](repeating: 0, count: planes * outCount)
        x.scalars.withUnsafeBufferPointer { src in
            taps.withUnsafeBufferPointer { taps in
                weights.withUnsafeBufferPointer { weights in
                    out.withUnsafeMutableBufferPointer { dst in
                        for p in 0..<planes {
                            let s = src.baseAddress! + p * inCount, d = dst.baseAddress! + p * outCount
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
                }
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], outputHeight, outputWidth], scalars: out)
    }

    /// The transpose of ``apply(_:fill:)`` for the image (the fill is a constant): scatters an
    /// output gradient `[N, C, outH, outW]` to the input.
    func applyTransposed(_ g: Tensor) -> Tensor {
        let planes = g.shape[0] * g.shape[1]
        let inCount = inputHeight * inputWidth, outCount = outputHeight * outputWidth
        var out = [Float](repeating: 0, count: planes * inCount)
        g.scalars.withUnsafeBufferPointer { src in
            taps.withUnsafeBufferPointer { taps in
                weights.withUnsafeBufferPointer { weights in
                    out.withUnsafeMutableBufferPointer { dst in
                        for p in 0..<planes {
                            let s = src.baseAddress! + p * outCount, d = dst.baseAddress! + p * inCount
                            for o in 0..<outCount {
                                let go = s[o]
                                for t in 4 * o..<4 * o + 4 {
                                    let i = Int(taps[t])
                                    if i >= 0 { d[i] += weights[t] * go }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [g.shape[0], g.shape[1], inputHeight, inputWidth], scalars: out)
    }
}

/// Differentiable bilinear resampling of `[N, C, H, W]` by a precomputed plan.
func sampleBilinear(_ x: Variable, _ plan: BilinearSampler, fill: Float = 0) -> Variable {
    x.tape.record(plan.apply(x.value, fill: fill), inputs: [x]) { g in [plan.applyTransposed(g)] }
}
