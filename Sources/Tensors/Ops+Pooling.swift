// Pooling over NCHW planes: max, average (count_include_pad), PyTorch's adaptive average and the
// global average. Each forward loops over (image, channel) planes; pullbacks scatter back.

/// The output size of a pooling window sliding over `size` with padding on both sides.
private func pooledSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
    precondition(kernel >= 1 && stride >= 1 && padding >= 0, "pool: kernel \(kernel), stride \(stride), padding \(padding)")
    precondition(padding * 2 <= kernel, "pool: padding \(padding) exceeds half the kernel \(kernel)")
    let out = (size + 2 * padding - kernel) / stride + 1
    precondition(out > 0, "pool: kernel \(kernel) larger than padded size \(size + 2 * padding)")
    return out
}

private func planeShape(_ shape: [Int], _ op: String) -> (planes: Int, h: Int, w: Int) {
    precondition(shape.count == 4, "\(op): input must be [N, C, H, W], got \(shape)")
    return (shape[0] * shape[1], shape[2], shape[3])
}

/// Max pooling; padded positions never win. The gradient goes to each window's (first) maximum.
///
/// ```swift
/// let y = maxPool2d(x, kernel: 3, stride: 2, padding: 1)
/// ```
public func maxPool2d(_ x: Variable, kernel: Int, stride: Int, padding: Int = 0) -> Variable {
    let (planes, h, w) = planeShape(x.shape, "maxPool2d")
    let ho = pooledSize(h, kernel: kernel, stride: stride, padding: padding)
    let wo = pooledSize(w, kernel: kernel, stride: stride, padding: padding)
    var argmax = [Int32](repeating: 0, count: planes * ho * wo)
    let out = makeScalars(planes * ho * wo) { y in
        x.value.scalars.withUnsafeBufferPointer { xb in
            argmax.withUnsafeMutableBufferPointer { am in
                for p in 0..<planes {
                    let xp = xb.baseAddress! + p * h * w
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            var best = -Float.infinity, at = -1
                            for iy in max(oy * stride - padding, 0)..<min(oy * stride - padding + kernel, h) {
                                for ix in max(ox * stride - padding, 0)..<min(ox * stride - padding + kernel, w)
                                where xp[iy * w + ix] > best || at < 0 {
                                    best = xp[iy * w + ix]
                                    at = iy * w + ix
                                }
                            }
                            let o = (p * ho + oy) * wo + ox
                            y[o] = best
                            am[o] = Int32(at)
                        }
                    }
                }
            }
        }
    }
    let shape = x.shape
    return x.tape.record(Tensor(shape: [shape[0], shape[1], ho, wo], scalars: out), inputs: [x]) { g in
        var dx = [Float](repeating: 0, count: planes * h * w)
        for p in 0..<planes {
            for o in 0..<(ho * wo) { dx[p * h * w + Int(argmax[p * ho * wo + o])] += g.scalars[p * ho * wo + o] }
        }
        return [Tensor(shape: shape, scalars: dx)]
    }
}

/// Average pooling with PyTorch's `count_include_pad=True`: every window divides by kernel².
public func avgPool2d(_ x: Variable, kernel: Int, stride: Int, padding: Int = 0) -> Variable {
    let (planes, h, w) = planeShape(x.shape, "avgPool2d")
    let ho = pooledSize(h, kernel: kernel, stride: stride, padding: padding)
    let wo = pooledSize(w, kernel: kernel, stride: stride, padding: padding)
    let scale = 1 / Float(kernel * kernel)
    let bins = { (o: Int) in max(o * stride - padding, 0)..<min(o * stride - padding + kernel, h) }
    let cols = { (o: Int) in max(o * stride - padding, 0)..<min(o * stride - padding + kernel, w) }
    return windowAverage(x, planes: planes, h: h, w: w, ho: ho, wo: wo, rows: bins, cols: cols) { _, _ in scale }
}

/// PyTorch's adaptive average pooling: output cell i averages input rows ⌊i·H/Ho⌋ ..< ⌈(i+1)·H/Ho⌉.
public func adaptiveAvgPool2d(_ x: Variable, height ho: Int, width wo: Int) -> Variable {
    let (planes, h, w) = planeShape(x.shape, "adaptiveAvgPool2d")
    precondition(ho > 0 && wo > 0, "adaptiveAvgPool2d: output \(ho)×\(wo)")
    let rows = { (o: Int) in (o * h / ho)..<(((o + 1) * h + ho - 1) / ho) }
    let cols = { (o: Int) in (o * w / wo)..<(((o + 1) * w + wo - 1) / wo) }
    return windowAverage(x, planes: planes, h: h, w: w, ho: ho, wo: wo, rows: rows, cols: cols) { r, c in
        1 / Float(r.count * c.count)
    }
}

/// The mean of each plane: [N, C, H, W] → [N, C].
public func globalAvgPool(_ x: Variable) -> Variable {
    let shape = x.shape
    precondition(shape.count == 4, "globalAvgPool: input must be [N, C, H, W], got \(shape)")
    return mean(x, axes: [2, 3])
}

/// Shared forward and pullback of the averaging pools: output (oy, ox) is the weighted sum of
/// input rows `rows(oy)` × columns `cols(ox)`, each weighted by `weight(rows, cols)`.
private func windowAverage(_ x: Variable, planes: Int, h: Int, w: Int, ho: Int, wo: Int,
                           rows: @escaping (Int) -> Range<Int>, cols: @escaping (Int) -> Range<Int>,
                           weight: @escaping (Range<Int>, Range<Int>) -> Float) -> Variable {
    let out = makeScalars(planes * ho * wo) { y in
        x.value.scalars.withUnsafeBufferPointer { xb in
            for p in 0..<planes {
                let xp = xb.baseAddress! + p * h * w
                for oy in 0..<ho {
                    let r = rows(oy)
                    for ox in 0..<wo {
                        let c = cols(ox)
                        var acc: Float = 0
                        for iy in r { for ix in c { acc += xp[iy * w + ix] } }
                        y[(p * ho + oy) * wo + ox] = acc * weight(r, c)
                    }
                }
            }
        }
    }
    let shape = x.shape
    return x.tape.record(Tensor(shape: [shape[0], shape[1], ho, wo], scalars: out), inputs: [x]) { g in
        let dx = makeScalars(planes * h * w, zeroed: true) { dx in
            g.scalars.withUnsafeBufferPointer { gb in
                for p in 0..<planes {
                    for oy in 0..<ho {
                        let r = rows(oy)
                        for ox in 0..<wo {
                            let c = cols(ox)
                            let v = gb[(p * ho + oy) * wo + ox] * weight(r, c)
                            for iy in r { for ix in c { dx[(p * h + iy) * w + ix] += v } }
                        }
                    }
                }
            }
        }
        return [Tensor(shape: shape, scalars: dx)]
    }
}
