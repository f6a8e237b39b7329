// A whole MBConv (inverted-residual) block body — expand 1×1 → depthwise → project 1×1, with the
// activations between — as one tape node, worked in tiles that stay in the core's L2 cache.
//
// Composed, the block writes and reads back its two widest tensors (the expanded and the depthwise
// activations, 6× the block's input) through L3 or memory, forward and backward. Here a tile is a
// band of output rows (forward) or of expanded rows (backward) of one image: expand into the tile,
// depthwise on it, project out of it, with the very kernels the composed ops run (`convProduct`,
// `fv_depthwise_forward` / `_backward`, planes in the same layout). Rows a tile needs beyond its
// own (the depthwise halo) are expanded again. Every element is computed as the composed ops
// compute it — the products are chains in the order of k whatever their cut, the depthwise taps
// are summed in the same order in a band as in the plane — so with the engine's own products
// (AVX-512) the block has the composed ops' bits, and the network may use either.
internal import CKernels

/// The body of an MBConv block, `project(act₂(depthwise(act₁(expand(x)))))`, differentiable with
/// respect to `x`: `expandWeight` [C, Cin, 1, 1], `depthwiseWeight` [C, 1, k, k] with `stride`
/// and `padding`, `projectWeight` [Cout, C, 1, 1], each with an optional bias; the projection has no
/// activation. The residual connection, if any, is the caller's.
///
/// Equal to the three `conv2d` calls in sequence, value and gradient: bit for bit where the
/// convolutions' products are the engine's own (``ownConvProduct``), else up to OpenBLAS's rounding.
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
/// with a chosen tile size (tests use small tiles to exercise the halos).
func mbconv(_ x: Variable, expandWeight: Tensor, expandBias: Tensor?, expandActivation: Activation,
            depthwiseWeight: Tensor, depthwiseBias: Tensor?, stride: Int, padding: Padding,
            depthwiseActivation: Activation, projectWeight: Tensor, projectBias: Tensor?, tileBytes: Int) -> Variable {
    let plan = MBConvPlan(input: x.shape, expand: expandWeight.shape, depthwise: depthwiseWeight.shape,
                          project: projectWeight.shape, stride: stride, padding: padding, tileBytes: tileBytes)
    for (bias, count, name) in [(expandBias, plan.hidden, "expand"), (depthwiseBias, plan.hidden, "depthwise"),
                                (projectBias, plan.outChannels, "project")] {
        if let bias { precondition(bias.count == count, "mbconv: \(name) bias \(bias.shape) for \(count) channels") }
    }
    let weights = MBConvWeights(expand: expandWeight, expandBias: expandBias, expandActivation: expandActivation,
                                depthwise: depthwiseWeight, depthwiseBias: depthwiseBias,
                                depthwiseActivation: depthwiseActivation, project: projectWeight, projectBias: projectBias)
    var masks: MBConvMasks? = x.needsGradient ? MBConvMasks(plan, weights) : nil
    let y = plan.forward(x.value, weights, masks: &masks)
    return x.tape.record(y, inputs: [x]) { [masks] g in
        [plan.inputGradient(g, weights, masks: masks!)]
    }
}

/// The constant operands of one block.
struct MBConvWeights {
    let expand: Tensor, expandBias: Tensor?, expandActivation: Activation
    let depthwise: Tensor, depthwiseBias: Tensor?, depthwiseActivation: Activation
    let project: Tensor, projectBias: Tensor?
}

/// Where the two activations passed, in the composed convolutions' bit-mask layouts: `expanded`
/// [N, C, H, ⌈W/8⌉ bytes], `depthwise` [N, C, ho, ⌈wo/8⌉ bytes] (nil for an activation of `.none`).
struct MBConvMasks {
    var expanded: [UInt8]?, depthwise: [UInt8]?

    init(expanded: [UInt8]?, depthwise: [UInt8]?) {
        self.expanded = expanded
        self.depthwise = depthwise
    }

    init(_ plan: MBConvPlan, _ w: MBConvWeights) {
        // Zeroed: rows no output reads are never expanded, and their gradient is zero anyway.
        expanded = w.expandActivation == .none ? nil : [UInt8](repeating: 0, count: plan.batch * plan.hidden * plan.expandedMaskPlane)
        depthwise = w.depthwiseActivation == .none ? nil : [UInt8](repeating: 0, count: plan.batch * plan.hidden * plan.dw.maskPlane)
    }
}

/// Shapes and tiling of one fused block.
struct MBConvPlan {
    /// Tile working set: the expanded band (forward) or its gradient (backward), in bytes.
    static let defaultTileBytes = 384 * 1024

    let batch, inChannels, hidden, outChannels: Int
    /// The depthwise convolution's geometry (its input is the expanded tensor).
    let dw: ConvGeometry
    /// Output rows per forward tile, expanded rows per backward tile.
    let forwardRows, backwardRows: Int

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
        // Bands of equal size, at least two per core over the batch so that both finish together.
        let rowBytes = dw.width * c * MemoryLayout<Float>.size
        let wanted = (2 * engineThreadCount + batch - 1) / batch
        func rows(_ height: Int, perRow: Int) -> Int {
            let bands = max(wanted, (height * perRow + tileBytes - 1) / max(1, tileBytes))
            return max(1, (height + bands - 1) / bands)
        }
        forwardRows = rows(dw.outHeight, perRow: rowBytes * stride)
        // The depthwise input gradient takes rows in blocks of up to 8 of a stride class, and its
        // sums' rounding depends on the block (the compiler may reassociate each block size's
        // unrolled taps differently): bands of whole blocks, 8·stride rows, get the plane's bits.
        let block = 8 * stride
        backwardRows = min(dw.height, (rows(dw.height, perRow: rowBytes) + block - 1) / block * block)
    }

    var expandedMaskPlane: Int { dw.height * ((dw.width + 7) / 8) }

    /// One unit of work: image `n`, rows `rows` (output rows forward, expanded rows backward).
    struct Tile { let n: Int, rows: Range<Int> }

    func tiles(rowsPerTile: Int, height: Int) -> [Tile] {
        (0..<batch).flatMap { n in
            stride(from: 0, to: height, by: rowsPerTile).map { Tile(n: n, rows: $0..<min(height, $0 + rowsPerTile)) }
        }
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
        let (erow, drow) = ((wd + 7) / 8, (wo + 7) / 8)
        let tiles = self.tiles(rowsPerTile: forwardRows, height: ho)
        var expandedMask = masks?.expanded, depthwiseMask = masks?.depthwise
        countDepthwise(planes: batch * c, dw)
        let y = makeScalars(batch * cout * howo) { yp in
            withPointers([x.scalars, w.expand.scalars, w.expandBias?.scalars, w.depthwise.scalars,
                          w.depthwiseBias?.scalars, w.project.scalars, w.projectBias?.scalars]) { p in
                let (xp, ew, eb, dwp, db, pw, pb) = (p[0]!, p[1]!, p[2], p[3]!, p[4], p[5]!, p[6])
                withOptionalMutablePointer(&expandedMask) { em in
                    withOptionalMutablePointer(&depthwiseMask) { dm in
                        parallelFor(tiles.count, costPerItem: 1 << 20) { range in
                            let maxIn = (forwardRows - 1) * s + dw.kernelHeight
                            let band = UnsafeMutablePointer<Float>.allocate(capacity: c * maxIn * wd)
                            let out = UnsafeMutablePointer<Float>.allocate(capacity: c * forwardRows * wo)
                            let bits = UnsafeMutablePointer<UInt8>.allocate(capacity: c * forwardRows * drow)
                            defer { band.deallocate(); out.deallocate(); bits.deallocate() }
                            for tile in tiles[range] {
                                let (n, o) = (tile.n, tile.rows)
                                let e = expandedRows(reading: o), pixels = e.count * wd
                                // Expand the band, [C, e rows]. The tile owns the mask of its rows up to where
                                // the next band's reading starts; its halo beyond is a neighbour's.
                                let next = o.upperBound < ho ? expandedRows(reading: o.upperBound..<(o.upperBound + 1)).lowerBound : h
                                let owned = e.lowerBound..<min(e.upperBound, max(e.lowerBound, next))
                                for part in [owned, owned.upperBound..<e.upperBound] where !part.isEmpty {
                                    let at = (part.lowerBound - e.lowerBound) * wd
                                    convProduct(m: c, n: part.count * wd, k: cin, ew, lda: cin,
                                                xp + n * cin * hw + part.lowerBound * wd, ldb: hw, band + at, ldc: pixels,
                                                bias: eb, activation: w.expandActivation, rows: part.count, width: wd,
                                                mask: part == owned ? em.map { $0 + n * c * expandedMaskPlane + part.lowerBound * erow } : nil,
                                                maskStride: expandedMaskPlane)
                                }
                                // Depthwise on the band, [C, o rows]; its mask into the block's.
                                fv_depthwise_forward(band, dwp, db, out, Int32(c), 0, Int32(c), Int32(e.count), Int32(wd),
                                                     Int32(dw.kernelHeight), Int32(dw.kernelWidth), Int32(s),
                                                     Int32(dw.padTop - o.lowerBound * s + e.lowerBound), Int32(dw.padLeft),
                                                     Int32(o.count), Int32(wo), w.depthwiseActivation.code, dm == nil ? nil : bits)
                                if let dm {
                                    for ch in 0..<c {
                                        (dm + (n * c + ch) * dw.maskPlane + o.lowerBound * drow)
                                            .update(from: bits + ch * o.count * drow, count: o.count * drow)
                                    }
                                }
                                // Project: Y[:, o rows] = Wp·D.
                                convProduct(m: cout, n: o.count * wo, k: c, pw, lda: c, out, ldb: o.count * wo,
                                            yp + n * cout * howo + o.lowerBound * wo, ldc: howo,
                                            bias: pb, activation: .none, rows: o.count, width: wo)
                            }
                        }
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
        let (erow, drow) = ((wd + 7) / 8, (wo + 7) / 8)
        let tiles = self.tiles(rowsPerTile: backwardRows, height: h)
        countDepthwise(planes: batch * c, dw)
        let dx = makeScalars(batch * cin * hw) { dxp in
            withPointers([g.scalars, w.expand.scalars, w.depthwise.scalars, w.project.scalars]) { p in
                let (gp, ew, dwp, pw) = (p[0]!, p[1]!, p[2]!, p[3]!)
                withOptionalPointer(masks.expanded) { em in
                    withOptionalPointer(masks.depthwise) { dm in
                        parallelFor(tiles.count, costPerItem: 1 << 20) { range in
                            let maxOut = (backwardRows + dw.kernelHeight) / s + 1
                            let grad = UnsafeMutablePointer<Float>.allocate(capacity: c * maxOut * wo)
                            let band = UnsafeMutablePointer<Float>.allocate(capacity: c * backwardRows * wd)
                            let gradBits = UnsafeMutablePointer<UInt8>.allocate(capacity: c * maxOut * drow)
                            let bandBits = UnsafeMutablePointer<UInt8>.allocate(capacity: c * backwardRows * erow)
                            defer { grad.deallocate(); band.deallocate(); gradBits.deallocate(); bandBits.deallocate() }
                            for tile in tiles[range] {
                                let (n, r) = (tile.n, tile.rows)
                                let dst = dxp + n * cin * hw + r.lowerBound * wd
                                let o = outputRows(readingFrom: r)
                                guard !o.isEmpty else {  // rows no output reads
                                    for ci in 0..<cin { (dst + ci * hw).initialize(repeating: 0, count: r.count * wd) }
                                    continue
                                }
                                // dD = Wpᵀ·dY on the output rows this band feeds, [C, o rows].
                                convProduct(transA: true, m: c, n: o.count * wo, k: cout, pw, lda: c,
                                            gp + n * cout * howo + o.lowerBound * wo, ldb: howo, grad, ldc: o.count * wo)
                                // The masks of those rows and of the band, gathered per channel.
                                if let dm {
                                    for ch in 0..<c {
                                        (gradBits + ch * o.count * drow).update(
                                            from: dm + (n * c + ch) * dw.maskPlane + o.lowerBound * drow, count: o.count * drow)
                                    }
                                }
                                if let em {
                                    for ch in 0..<c {
                                        (bandBits + ch * r.count * erow).update(
                                            from: em + (n * c + ch) * expandedMaskPlane + r.lowerBound * erow, count: r.count * erow)
                                    }
                                }
                                // dE on the band's rows, masked by both activations.
                                fv_depthwise_backward(grad, dm == nil ? nil : UnsafePointer(gradBits), dwp, band, Int32(c), 0,
                                                      Int32(c), Int32(r.count), Int32(wd),
                                                      Int32(dw.kernelHeight), Int32(dw.kernelWidth), Int32(s),
                                                      Int32(dw.padTop + r.lowerBound - o.lowerBound * s), Int32(dw.padLeft),
                                                      Int32(o.count), Int32(wo), em == nil ? nil : UnsafePointer(bandBits))
                                // dX[:, r rows] = Weᵀ·dE.
                                convProduct(transA: true, m: cin, n: r.count * wd, k: c, ew, lda: cin,
                                            band, ldb: r.count * wd, dst, ldc: hw)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, cin, h, wd], scalars: dx)
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
