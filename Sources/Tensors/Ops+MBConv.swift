// A whole MBConv (inverted-residual) block body — expand 1×1 → depthwise → project 1×1, with the
// activations between — as one tape node, worked in tiles.
//
// Unfused, the block writes and reads back its two widest tensors (the expanded and the depthwise
// activations, 6× the block's input) through main memory, forward and backward. Here a tile is a
// band of output rows (forward) or of expanded rows (backward) of one image, optionally one chunk
// of the hidden channels, sized to stay in the core's L2: expand by sgemm into the tile, depthwise
// on it, project by sgemm out of it. Inside the tile the layout is channels-last (pixels ×
// channels): sgemm's transpose flags produce and consume it for free, and the depthwise kernel
// then multiplies contiguous channel blocks for any stride, with no padded copies. Only one-byte
// activation masks are kept for the pullback. Rows a tile needs beyond its own (the depthwise
// halo) are expanded again; when an image has fewer tiles than there are cores, the hidden
// channels are split instead and the projections summed.
internal import CKernels

/// The body of an MBConv block, `project(act₂(depthwise(act₁(expand(x)))))`, differentiable with
/// respect to `x`: `expandWeight` [C, Cin, 1, 1], `depthwiseWeight` [C, 1, k, k] with `stride`
/// and `padding`, `projectWeight` [Cout, C, 1, 1], each with an optional bias; the projection has no
/// activation. The residual connection, if any, is the caller's.
///
/// Equal to the three `conv2d` calls in sequence, value and gradient (up to summation order).
///
/// ```swift
/// let y = mbconv(x, expandWeight: ew, expandBias: eb, depthwiseWeight: dw, depthwiseBias: db,
///                stride: 2, padding: .same, projectWeight: pw, projectBias: pb)
/// ```
public func mbconv(_ x: Variable, expandWeight: Tensor, expandBias: Tensor?, expandActivation: Activation = .relu6,
                   depthwiseWeight: Tensor, depthwiseBias: Tensor?, stride: Int = 1, padding: Padding = .same,
                   depthwiseActivation: Activation = .relu6, projectWeight: Tensor, projectBias: Tensor?) -> Variable {
    mbconv(x, expandWeight: expandWeight, expandBias: expandBias, expandActivation: expandActivation,
           depthwiseWeight: depthwiseWeight, depthwiseBias: depthwiseBias, stride: stride, padding: padding,
           depthwiseActivation: depthwiseActivation, projectWeight: projectWeight, projectBias: projectBias,
           tileBytes: MBConvPlan.defaultTileBytes)
}

/// ``mbconv(_:expandWeight:expandBias:expandActivation:depthwiseWeight:depthwiseBias:stride:padding:depthwiseActivation:projectWeight:projectBias:)``
/// with a chosen tile size (tests use small tiles to exercise the halos and channel chunks).
func mbconv(_ x: Variable, expandWeight: Tensor, expandBias: Tensor?, expandActivation: Activation,
            depthwiseWeight: Tensor, depthwiseBias: Tensor?, stride: Int, padding: Padding,
            depthwiseActivation: Activation, projectWeight: Tensor, projectBias: Tensor?, tileBytes: Int) -> Variable {
    let plan = MBConvPlan(input: x.shape, expand: expandWeight.shape, depthwise: depthwiseWeight.shape,
                          project: projectWeight.shape, stride: stride, padding: padding, tileBytes: tileBytes)
    for (bias, count, name) in [(expandBias, plan.hidden, "expand"), (depthwiseBias, plan.hidden, "depthwise"),
                                (projectBias, plan.outChannels, "project")] {
        if let bias { precondition(bias.count == count, "mbconv: \(name) bias \(bias.shape) for \(count) channels") }
    }
    // Depthwise filters channels-last: [k·k, C].
    let taps = plan.dw.kernelHeight * plan.dw.kernelWidth, c = plan.hidden
    let filters = depthwiseWeight.scalars.withUnsafeBufferPointer { w in
        makeScalars(taps * c) { out in for ch in 0..<c { for t in 0..<taps { out[t * c + ch] = w[ch * taps + t] } } }
    }
    let weights = MBConvWeights(expand: expandWeight, expandBias: expandBias, expandActivation: expandActivation,
                                filters: filters, depthwiseBias: depthwiseBias, depthwiseActivation: depthwiseActivation,
                                project: projectWeight, projectBias: projectBias)
    let grad = x.needsGradient
    var masks: MBConvMasks? = grad ? MBConvMasks(plan, weights) : nil
    let y = plan.forward(x.value, weights, masks: &masks)
    return x.tape.record(y, inputs: [x]) { [masks] g in
        [plan.inputGradient(g, weights, masks: masks!)]
    }
}

/// The constant operands of one block, with the depthwise filters channels-last.
struct MBConvWeights {
    let expand: Tensor, expandBias: Tensor?, expandActivation: Activation
    let filters: [Float], depthwiseBias: Tensor?, depthwiseActivation: Activation
    let project: Tensor, projectBias: Tensor?
}

/// Where the two activations passed, one byte per element, channels-last per image:
/// `expanded` [N, H, W, C], `depthwise` [N, ho, wo, C] (nil for an activation of `.none`).
struct MBConvMasks {
    var expanded: [UInt8]?, depthwise: [UInt8]?

    init(expanded: [UInt8]?, depthwise: [UInt8]?) {
        self.expanded = expanded
        self.depthwise = depthwise
    }

    init(_ plan: MBConvPlan, _ w: MBConvWeights) {
        // Zeroed: rows no output reads are never expanded, and their gradient is zero anyway.
        expanded = w.expandActivation == .none ? nil : [UInt8](repeating: 0, count: plan.batch * plan.dw.inPlane * plan.hidden)
        depthwise = w.depthwiseActivation == .none ? nil : [UInt8](repeating: 0, count: plan.batch * plan.dw.outPlane * plan.hidden)
    }
}

/// Shapes and tiling of one fused block.
struct MBConvPlan {
    /// Tile working set: the expanded band (forward) or gradient band (backward), in bytes.
    static let defaultTileBytes = 512 * 1024

    let batch, inChannels, hidden, outChannels: Int
    /// The depthwise convolution's geometry (its input is the expanded tensor).
    let dw: ConvGeometry
    /// Output rows per forward tile, expanded rows per backward tile, hidden channels per chunk.
    let forwardRows, backwardRows, chunk: Int

    init(input: [Int], expand: [Int], depthwise: [Int], project: [Int], stride: Int, padding: Padding, tileBytes: Int) {
        precondition(input.count == 4, "mbconv: input must be [N, C, H, W], got \(input)")
        precondition(expand.count == 4 && expand[1] == input[1] && expand[2] == 1 && expand[3] == 1,
                     "mbconv: expand weight must be [C, \(input[1]), 1, 1], got \(expand)")
        let c = expand[0]
        precondition(depthwise.count == 4 && depthwise[0] == c && depthwise[1] == 1,
                     "mbconv: depthwise weight must be [\(c), 1, k, k], got \(depthwise)")
        precondition(project.count == 4 && project[1] == c && project[2] == 1 && project[3] == 1,
                     "mbconv: project weight must be [Cout, \(c), 1, 1], got \(project)")
        batch = input[0]
        inChannels = input[1]
        hidden = c
        outChannels = project[0]
        dw = ConvGeometry(input: [input[0], c, input[2], input[3]], weight: depthwise, stride: stride,
                          padding: padding, groups: c)
        let rowBytes = dw.width * c * MemoryLayout<Float>.size
        // Enough tiles to keep every core busy; split the channels when the rows cannot.
        var fRows = max(1, min(dw.outHeight, tileBytes / max(1, rowBytes * stride)))
        var bRows = max(1, min(dw.height, tileBytes / max(1, rowBytes)))
        let perImage = (engineThreadCount + batch - 1) / batch
        var chunk = c
        if batch * ((dw.outHeight + fRows - 1) / fRows) < engineThreadCount {
            // Fewer row bands than cores: a band per core when each keeps at least its halo's
            // worth of rows, else whole images split by channel chunks (multiples of 8).
            if dw.outHeight / perImage >= dw.kernelHeight {
                fRows = (dw.outHeight + perImage - 1) / perImage
                bRows = (dw.height + perImage - 1) / perImage
            } else if c >= 16 * perImage {
                chunk = ((c + perImage - 1) / perImage + 7) / 8 * 8
            }
        }
        forwardRows = fRows
        backwardRows = bRows
        self.chunk = chunk
    }

    var chunks: Int { (hidden + chunk - 1) / chunk }

    /// One unit of work: image `n`, rows `rows` (output rows forward, expanded rows backward),
    /// hidden channels `channels`.
    struct Tile { let n: Int, rows: Range<Int>, channels: Range<Int>, chunkIndex: Int }

    func tiles(rowsPerTile: Int, height: Int) -> [Tile] {
        var out: [Tile] = []
        for n in 0..<batch {
            for r0 in stride(from: 0, to: height, by: rowsPerTile) {
                for q in 0..<chunks {
                    out.append(Tile(n: n, rows: r0..<min(height, r0 + rowsPerTile),
                                    channels: (q * chunk)..<min(hidden, (q + 1) * chunk), chunkIndex: q))
                }
            }
        }
        return out
    }

    /// Expanded rows output rows `rows` read (clipped to the image).
    func expandedRows(reading rows: Range<Int>) -> Range<Int> {
        let s = dw.stride, k = dw.kernelHeight, pt = dw.padTop
        return max(0, rows.lowerBound * s - pt)..<min(dw.height, (rows.upperBound - 1) * s - pt + k)
    }

    /// Output rows that read expanded rows `rows`.
    func outputRows(readingFrom rows: Range<Int>) -> Range<Int> {
        let s = dw.stride, k = dw.kernelHeight, pt = dw.padTop
        let first = max(0, (rows.lowerBound + pt - k + 1 + s - 1) / s)  // ⌈(r0 + pt − k + 1) / s⌉, clipped
        let last = min(dw.outHeight, (rows.upperBound - 1 + pt) / s + 1)
        return first..<max(first, last)
    }
}

extension MBConvPlan {
    /// The block's output [N, Cout, ho, wo]; fills `masks` when given.
    func forward(_ x: Tensor, _ w: MBConvWeights, masks: inout MBConvMasks?) -> Tensor {
        let (h, wd, ho, wo, s) = (dw.height, dw.width, dw.outHeight, dw.outWidth, dw.stride)
        let (hw, howo, cin, c, cout) = (h * wd, ho * wo, inChannels, hidden, outChannels)
        let tiles = self.tiles(rowsPerTile: forwardRows, height: ho)
        let outCount = batch * cout * howo
        var partials = [Float](repeating: 0, count: (chunks - 1) * outCount)
        var expandedMask = masks?.expanded, depthwiseMask = masks?.depthwise
        let y = makeScalars(outCount) { yp in
            withPointers([x.scalars, w.expand.scalars, w.expandBias?.scalars, w.filters, w.depthwiseBias?.scalars,
                          w.project.scalars]) { p in
                let (xp, ew, eb, filters, db, pw) = (p[0]!, p[1]!, p[2], p[3]!, p[4], p[5]!)
                partials.withUnsafeMutableBufferPointer { partials in
                    withOptionalMutablePointer(&expandedMask) { em in
                        withOptionalMutablePointer(&depthwiseMask) { dm in
                            parallelFor(tiles.count, costPerItem: 1 << 20) { range in
                                let maxIn = (forwardRows - 1) * s + dw.kernelHeight
                                var band = [Float](repeating: 0, count: maxIn * wd * chunk)
                                var out = [Float](repeating: 0, count: forwardRows * wo * chunk)
                                for tile in tiles[range] {
                                    let (n, o, c0, cq) = (tile.n, tile.rows, tile.channels.lowerBound, tile.channels.count)
                                    let e = expandedRows(reading: o)
                                    band.withUnsafeMutableBufferPointer { band in
                                        out.withUnsafeMutableBufferPointer { out in
                                            let band = band.baseAddress!, out = out.baseAddress!
                                            // Expand the band: E = Xᵀ·Weᵀ, pixels × channels.
                                            sgemm(transA: true, transB: true, m: e.count * wd, n: cq, k: cin,
                                                  xp + n * cin * hw + e.lowerBound * wd, lda: hw, ew + c0 * cin, ldb: cin,
                                                  band, ldc: cq)
                                            // The mask of the rows this tile owns (the next band starts where
                                            // its own reading starts); halo rows are owned by a neighbour.
                                            let next = o.upperBound < ho ? expandedRows(reading: o.upperBound..<(o.upperBound + 1)).lowerBound : h
                                            let owned = e.lowerBound..<min(e.upperBound, next)
                                            for part in [owned, owned.upperBound..<e.upperBound] where !part.isEmpty {
                                                let mask = part == owned ? em.map { $0 + ((n * h + part.lowerBound) * wd) * c + c0 } : nil
                                                fv_cl_bias_activation(band + (part.lowerBound - e.lowerBound) * wd * cq, Int32(cq),
                                                                      Int32(part.count * wd), Int32(cq), eb.map { $0 + c0 },
                                                                      w.expandActivation.code, mask, Int32(c))
                                            }
                                            fv_cl_depthwise_forward(band, Int32(cq), filters + c0, Int32(c), db.map { $0 + c0 },
                                                                    out, Int32(cq), Int32(e.count), Int32(wd), Int32(cq),
                                                                    Int32(dw.kernelHeight), Int32(dw.kernelWidth), Int32(s),
                                                                    Int32(dw.padTop - o.lowerBound * s + e.lowerBound),
                                                                    Int32(dw.padLeft), Int32(o.count), Int32(wo),
                                                                    w.depthwiseActivation.code,
                                                                    dm.map { $0 + ((n * ho + o.lowerBound) * wo) * c + c0 }, Int32(c))
                                            // Project: Y[:, rows] = Wp[:, chunk]·Dᵀ (later chunks into partial sums).
                                            let base = tile.chunkIndex == 0 ? yp : partials.baseAddress! + (tile.chunkIndex - 1) * outCount
                                            let dst = base + n * cout * howo + o.lowerBound * wo
                                            sgemm(transB: true, m: cout, n: o.count * wo, k: cq, pw + c0, lda: c, out, ldb: cq,
                                                  dst, ldc: howo)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            sumPartials(into: yp, partials, count: outCount)
            if let b = w.projectBias {
                b.scalars.withUnsafeBufferPointer { b in
                    for n in 0..<batch {
                        fv_bias_activation(yp + n * cout * howo, Int32(howo), b.baseAddress!, Int32(cout), 1, Int32(howo),
                                           Activation.none.code, nil, 0)
                    }
                }
            }
        }
        if masks != nil { masks = MBConvMasks(expanded: expandedMask, depthwise: depthwiseMask) }
        return Tensor(shape: [batch, cout, ho, wo], scalars: y)
    }

    /// The gradient with respect to the block's input for output gradient `g`.
    func inputGradient(_ g: Tensor, _ w: MBConvWeights, masks: MBConvMasks) -> Tensor {
        let (h, wd, ho, wo, s) = (dw.height, dw.width, dw.outHeight, dw.outWidth, dw.stride)
        let (hw, howo, cin, c, cout) = (h * wd, ho * wo, inChannels, hidden, outChannels)
        let tiles = self.tiles(rowsPerTile: backwardRows, height: h)
        let outCount = batch * cin * hw
        var partials = [Float](repeating: 0, count: (chunks - 1) * outCount)
        let dx = makeScalars(outCount) { dxp in
            withPointers([g.scalars, w.expand.scalars, w.filters, w.project.scalars]) { p in
                let (gp, ew, filters, pw) = (p[0]!, p[1]!, p[2]!, p[3]!)
                withOptionalPointer(masks.expanded) { em in
                    withOptionalPointer(masks.depthwise) { dm in
                        partials.withUnsafeMutableBufferPointer { partials in
                            parallelFor(tiles.count, costPerItem: 1 << 20) { range in
                                let maxOut = (backwardRows + dw.kernelHeight) / s + 1
                                var grad = [Float](repeating: 0, count: maxOut * wo * chunk)
                                var band = [Float](repeating: 0, count: backwardRows * wd * chunk)
                                for tile in tiles[range] {
                                    let (n, r, c0, cq) = (tile.n, tile.rows, tile.channels.lowerBound, tile.channels.count)
                                    let base = tile.chunkIndex == 0 ? dxp : partials.baseAddress! + (tile.chunkIndex - 1) * outCount
                                    let dst = base + n * cin * hw + r.lowerBound * wd
                                    let o = outputRows(readingFrom: r)
                                    guard !o.isEmpty else {  // rows no output reads
                                        for ci in 0..<cin { (dst + ci * hw).initialize(repeating: 0, count: r.count * wd) }
                                        continue
                                    }
                                    grad.withUnsafeMutableBufferPointer { grad in
                                        band.withUnsafeMutableBufferPointer { band in
                                            let grad = grad.baseAddress!, band = band.baseAddress!
                                            // dD = dYᵀ·Wp[:, chunk] on the output rows this band feeds, masked.
                                            sgemm(transA: true, m: o.count * wo, n: cq, k: cout,
                                                  gp + n * cout * howo + o.lowerBound * wo, lda: howo, pw + c0, ldb: c,
                                                  grad, ldc: cq)
                                            if let dm {
                                                fv_cl_apply_mask(grad, Int32(cq), Int32(o.count * wo), Int32(cq),
                                                                 dm + ((n * ho + o.lowerBound) * wo) * c + c0, Int32(c))
                                            }
                                            fv_cl_depthwise_backward(grad, Int32(cq), filters + c0, Int32(c), band, Int32(cq),
                                                                     Int32(r.count), Int32(wd), Int32(cq),
                                                                     Int32(dw.kernelHeight), Int32(dw.kernelWidth), Int32(s),
                                                                     Int32(dw.padTop + r.lowerBound - o.lowerBound * s),
                                                                     Int32(dw.padLeft), Int32(o.count), Int32(wo),
                                                                     em.map { $0 + ((n * h + r.lowerBound) * wd) * c + c0 }, Int32(c))
                                            // dX[:, rows] = We[chunk]ᵀ·dEᵀ.
                                            sgemm(transA: true, transB: true, m: cin, n: r.count * wd, k: cq,
                                                  ew + c0 * cin, lda: cin, band, ldb: cq, dst, ldc: hw)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            sumPartials(into: dxp, partials, count: outCount)
        }
        return Tensor(shape: [batch, cin, h, wd], scalars: dx)
    }

    /// target += each `count`-long partial sum in `partials`, split across the cores.
    private func sumPartials(into target: UnsafeMutablePointer<Float>, _ partials: [Float], count: Int) {
        guard !partials.isEmpty else { return }
        partials.withUnsafeBufferPointer { p in
            parallelFor(count / 1024 + 1, costPerItem: 1024 * (chunks - 1)) { r in
                let lo = r.lowerBound * 1024, hi = min(count, r.upperBound * 1024)
                guard lo < hi else { return }
                for q in 0..<(chunks - 1) { fv_add_inplace(target + lo, p.baseAddress! + q * count + lo, hi - lo) }
            }
        }
    }
}

/// Calls `body` with pointers to the arrays' storage (nil for a nil array), valid during the call.
func withPointers<R>(_ arrays: [[Float]?], _ body: ([UnsafePointer<Float>?]) -> R) -> R {
    func step(_ i: Int, _ pointers: [UnsafePointer<Float>?]) -> R {
        guard i < arrays.count else { return body(pointers) }
        guard let a = arrays[i] else { return step(i + 1, pointers + [nil]) }
        return a.withUnsafeBufferPointer { step(i + 1, pointers + [$0.baseAddress]) }
    }
    return step(0, [])
}
