// The GEMM paths of conv2d: im2col + sgemm, and plain sgemm for 1×1 stride-1 convolutions.
//
// The output is cut into tiles — (image, group, band of output columns) — sized so that a tile's
// unfolded input and its output stay in the core's L2 cache; each tile is unfolded, multiplied
// and given its bias and activation while still in cache. Tiles are spread over the engine's
// threads; OpenBLAS itself runs single-threaded (see `sgemm`), which is faster for these small
// products than its own threading and keeps the two levels of parallelism from fighting.
internal import CKernels

/// Target bytes of one tile's largest operand (unfolded input or output).
private let tileBytes = 128 * 1024

/// The output cut into tiles of whole rows, one per (image, group, band of `rows` output rows):
/// tiles are whole rows, so each owns whole bytes of the activation mask.
struct RowBands {
    /// Output rows per band, bands per output plane, and output columns in a full band.
    let rows: Int, bands: Int, columns: Int
    /// Tiles in all: (image, group) pairs × bands.
    let tiles: Int
    private let groups: Int, outHeight: Int, outWidth: Int

    init(_ geo: ConvGeometry) {
        let pairs = geo.batch * geo.groups
        var cols = max(tileBytes / (4 * max(geo.patch, geo.groupOut)), 256)
        if pairs < engineThreadCount {  // make enough tiles to keep every thread busy
            cols = min(cols, (geo.outPlane + engineThreadCount - 1) / engineThreadCount)
        }
        rows = min(max(1, cols / geo.outWidth), geo.outHeight)
        bands = (geo.outHeight + rows - 1) / rows
        columns = rows * geo.outWidth
        tiles = pairs * bands
        (groups, outHeight, outWidth) = (geo.groups, geo.outHeight, geo.outWidth)
    }

    /// Blocks of rows (of `m`) to cut each tile's product [m × columns] · [columns, k] into when
    /// there are too few tiles for the threads to finish together (a 28² plane at batch 1 is bands
    /// of 9, 9, 9 and 1 rows: one thread did two of the long ones). With OpenBLAS only where the
    /// blocks and the whole product fall on the same side of its small-matrix limit (M·N·K ≤ 100³
    /// on its SkylakeX and Cooperlake cores): there each block has the bits of the whole; across
    /// it, some shapes round differently.
    func channelParts(_ m: Int, k: Int) -> Int {
        let wanted = 4 * engineThreadCount
        guard tiles < wanted else { return 1 }
        let parts = max(1, min((wanted + tiles - 1) / tiles, m / 16))
        if ownConvProduct { return parts }  // its bits do not depend on the cut
        let last = columns - (bands * rows - outHeight) * outWidth  // the last band's columns
        for n in [columns, last] {
            let small = m * n * k <= 1_000_000
            for part in 0..<parts {
                let block = channelCut(part + 1, of: parts, m) - channelCut(part, of: parts, m)
                if (block * n * k <= 1_000_000) != small { return 1 }
            }
        }
        return parts
    }

    /// Where block `part` of `parts` of `m` rows starts: at multiples of 8.
    func channelCut(_ part: Int, of parts: Int, _ m: Int) -> Int {
        part >= parts ? m : m * part / parts / 8 * 8
    }

    /// Tile `tile`'s image `n`, group `g`, first output row `oy0` and its `tileRows` (fewer in the
    /// last band), and the same as a range of the output plane: first column `c0`, `cols` columns.
    func tile(_ tile: Int) -> (n: Int, g: Int, oy0: Int, tileRows: Int, c0: Int, cols: Int) {
        let (pair, b) = tile.quotientAndRemainder(dividingBy: bands)
        let (n, g) = pair.quotientAndRemainder(dividingBy: groups)
        let oy0 = b * rows, tileRows = min(rows, outHeight - oy0)
        return (n, g, oy0, tileRows, oy0 * outWidth, tileRows * outWidth)
    }
}

/// Whether the convolutions' products run the engine's own kernel (`fv_conv_product`): on CPUs with
/// AVX-512, where it beats OpenBLAS on these thin products (16 to 480 rows or depth, a few hundred
/// columns: 1.2–1.4 × on the 112² and 28² planes of an Intel Xeon) and keeps the same bits however
/// a product is cut. OpenBLAS on the others.
var ownConvProduct: Bool { fv_kernel_path() == Int32(FV_PATH_AVX512) }

/// A convolution's product C = op(A)·B (A the weights, [m, k] or, transposed, [k, m]; B [k, n]),
/// with `sgemm`'s arguments; then, for a forward tile of `rows` output rows of `width` (n = rows ·
/// width), its bias and activation (`fv_bias_activation`, which also writes the activation mask).
func convProduct(transA: Bool = false, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
                 _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                 bias: UnsafePointer<Float>? = nil, activation: Activation = .none, rows: Int = 0, width: Int = 0,
                 mask: UnsafeMutablePointer<UInt8>? = nil, maskStride: Int = 0) {
    guard m > 0, n > 0 else { return }
    guard ownConvProduct else {
        sgemm(transA: transA, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc)
        return fv_bias_activation(c, Int32(ldc), bias, Int32(m), Int32(rows), Int32(width), activation.code, mask,
                                  Int32(maskStride))
    }
    countGEMM(m: m, n: n, k: k)
    fv_conv_product(Int32(m), Int32(n), Int32(k), a, transA ? 1 : lda, transA ? lda : 1, b, ldb, c, ldc,
                    bias, activation.code, Int32(rows), Int32(width), mask, Int32(maskStride))
}

extension ConvGeometry {
    /// Blocks of rows to split a 1×1 convolution's product into when its planes are small and there
    /// are too few (image, group) pairs for the threads: each thread then packs only its share of
    /// the weights, which dominate these products, instead of all of them for a sliver of columns.
    /// 1 when the product is split by column bands instead.
    func pointwiseRowBlocks(rows: Int) -> Int {
        guard isPointwise, outPlane <= 256, batch * groups < engineThreadCount, rows >= 2 * engineThreadCount else { return 1 }
        return engineThreadCount
    }
}

/// 1×1 convolution with small planes, split by blocks of output channels (see `pointwiseRowBlocks`).
private func pointwiseForwardByChannels(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                                        _ y: UnsafeMutablePointer<Float>, _ mask: UnsafeMutablePointer<UInt8>?,
                                        _ geo: ConvGeometry, _ act: Activation, blocks: Int) {
    let pairs = geo.batch * geo.groups
    parallelFor(pairs * blocks, costPerItem: 2 * geo.groupOut * geo.patch * geo.outPlane / blocks / 64) { tiles in
        for tile in tiles {
            let (pair, block) = tile.quotientAndRemainder(dividingBy: blocks)
            let (n, g) = pair.quotientAndRemainder(dividingBy: geo.groups)
            let m0 = geo.groupOut * block / blocks, m1 = geo.groupOut * (block + 1) / blocks
            let channel0 = n * geo.outChannels + g * geo.groupOut + m0
            let out = y + channel0 * geo.outPlane
            convProduct(m: m1 - m0, n: geo.outPlane, k: geo.patch, w + (g * geo.groupOut + m0) * geo.patch, lda: geo.patch,
                        x + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane, ldb: geo.inPlane, out, ldc: geo.outPlane,
                        bias: bias.map { $0 + g * geo.groupOut + m0 }, activation: act, rows: geo.outHeight,
                        width: geo.outWidth, mask: mask.map { $0 + channel0 * geo.maskPlane }, maskStride: geo.maskPlane)
        }
    }
}

/// Y[n, g] = act(W[g] · unfold(X[n, g]) + b), tile by tile.
func gemmForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                 _ y: UnsafeMutablePointer<Float>, _ mask: UnsafeMutablePointer<UInt8>?,
                 _ geo: ConvGeometry, _ act: Activation) {
    let channelBlocks = geo.pointwiseRowBlocks(rows: geo.groupOut)
    if channelBlocks > 1 { return pointwiseForwardByChannels(x, w, bias, y, mask, geo, act, blocks: channelBlocks) }
    let bands = RowBands(geo)
    let mrow = (geo.outWidth + 7) / 8
    let parts = geo.isPointwise ? bands.channelParts(geo.groupOut, k: geo.patch) : 1
    let flopsPerTile = 2 * geo.groupOut * geo.patch * bands.columns
    parallelFor(bands.tiles * parts, costPerItem: flopsPerTile / parts / 64) { items in
        let col: UnsafeMutablePointer<Float>? = geo.isPointwise ? nil : .allocate(capacity: geo.patch * bands.columns)
        defer { col?.deallocate() }
        for item in items {
            let (tile, part) = item.quotientAndRemainder(dividingBy: parts)
            let (n, g, oy0, tileRows, c0, cols) = bands.tile(tile)
            let m0 = bands.channelCut(part, of: parts, geo.groupOut), m1 = bands.channelCut(part + 1, of: parts, geo.groupOut)
            let xg = x + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane
            var source = xg + c0, ldb = geo.inPlane
            if let col {
                fv_im2col(xg, Int32(geo.groupIn), Int32(geo.height), Int32(geo.width),
                          Int32(geo.kernelHeight), Int32(geo.kernelWidth), Int32(geo.stride),
                          Int32(geo.padTop), Int32(geo.padLeft), Int32(oy0), Int32(oy0 + tileRows),
                          Int32(geo.outWidth), col)
                source = UnsafePointer(col)
                ldb = cols
            }
            let channel0 = n * geo.outChannels + g * geo.groupOut + m0
            let out = y + channel0 * geo.outPlane + c0
            convProduct(m: m1 - m0, n: cols, k: geo.patch, w + (g * geo.groupOut + m0) * geo.patch, lda: geo.patch,
                        source, ldb: ldb, out, ldc: geo.outPlane, bias: bias.map { $0 + g * geo.groupOut + m0 },
                        activation: act, rows: tileRows, width: geo.outWidth,
                        mask: mask.map { $0 + channel0 * geo.maskPlane + oy0 * mrow }, maskStride: geo.maskPlane)
        }
    }
}

/// dX[n, g] = fold(W[g]ᵀ · mask(dY[n, g])). 1×1: tiles are bands of columns (disjoint in dX).
/// im2col: an (image, group) pair per tile, or with fewer pairs than threads, bands of columns
/// unfolded and then rows of dX folded; `dx` must be zeroed for this path.
func gemmBackward(_ dy: UnsafePointer<Float>, _ mask: UnsafePointer<UInt8>?,
                  _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ geo: ConvGeometry) {
    let pairs = geo.batch * geo.groups
    let mrow = (geo.outWidth + 7) / 8
    let inputBlocks = geo.pointwiseRowBlocks(rows: geo.groupIn)
    if inputBlocks > 1 {
        // Small planes: each thread masks the (small) output gradient and computes a block of input channels.
        parallelFor(pairs * inputBlocks, costPerItem: 2 * geo.groupOut * geo.patch * geo.outPlane / inputBlocks / 64) { tiles in
            let masked: UnsafeMutablePointer<Float>? = mask == nil ? nil : .allocate(capacity: geo.groupOut * geo.outPlane)
            defer { masked?.deallocate() }
            for tile in tiles {
                let (pair, block) = tile.quotientAndRemainder(dividingBy: inputBlocks)
                let (n, g) = pair.quotientAndRemainder(dividingBy: geo.groups)
                let c0 = geo.groupIn * block / inputBlocks, c1 = geo.groupIn * (block + 1) / inputBlocks
                let channel0 = n * geo.outChannels + g * geo.groupOut
                var source = dy + channel0 * geo.outPlane
                if let masked, let mask {
                    fv_apply_mask(masked, Int32(geo.outPlane), source, Int32(geo.outPlane), mask + channel0 * geo.maskPlane,
                                  Int32(geo.maskPlane), Int32(geo.groupOut), Int32(geo.outHeight), Int32(geo.outWidth))
                    source = UnsafePointer(masked)
                }
                convProduct(transA: true, m: c1 - c0, n: geo.outPlane, k: geo.groupOut,
                            w + g * geo.groupOut * geo.patch + c0, lda: geo.patch, source, ldb: geo.outPlane,
                            dx + (n * geo.inChannels + g * geo.groupIn + c0) * geo.inPlane, ldc: geo.inPlane)
            }
        }
        return
    }
    if geo.isPointwise {
        let bands = RowBands(geo)
        // Blocks of input channels only without a mask (each block would mask the tile again).
        let parts = mask == nil ? bands.channelParts(geo.groupIn, k: geo.groupOut) : 1
        parallelFor(bands.tiles * parts, costPerItem: 2 * geo.groupOut * geo.patch * bands.columns / parts / 64) { items in
            let masked: UnsafeMutablePointer<Float>? = mask == nil ? nil : .allocate(capacity: geo.groupOut * bands.columns)
            defer { masked?.deallocate() }
            for item in items {
                let (tile, part) = item.quotientAndRemainder(dividingBy: parts)
                let (n, g, oy0, tileRows, c0, cols) = bands.tile(tile)
                let m0 = bands.channelCut(part, of: parts, geo.groupIn), m1 = bands.channelCut(part + 1, of: parts, geo.groupIn)
                let channel0 = n * geo.outChannels + g * geo.groupOut
                let offset = channel0 * geo.outPlane + c0
                var source = dy + offset, ldb = geo.outPlane
                if let masked, let mask {
                    fv_apply_mask(masked, Int32(cols), dy + offset, Int32(geo.outPlane),
                                  mask + channel0 * geo.maskPlane + oy0 * mrow, Int32(geo.maskPlane),
                                  Int32(geo.groupOut), Int32(tileRows), Int32(geo.outWidth))
                    source = UnsafePointer(masked)
                    ldb = cols
                }
                convProduct(transA: true, m: m1 - m0, n: cols, k: geo.groupOut,
                            w + g * geo.groupOut * geo.patch + m0, lda: geo.patch, source, ldb: ldb,
                            dx + (n * geo.inChannels + g * geo.groupIn + m0) * geo.inPlane + c0, ldc: geo.inPlane)
            }
        }
        return
    }
    // Mask the whole output gradient once (every channel block reads all of it).
    var source = dy
    let planes = geo.batch * geo.outChannels
    let masked: UnsafeMutablePointer<Float>? = mask == nil ? nil : .allocate(capacity: planes * geo.outPlane)
    defer { masked?.deallocate() }
    if let masked, let mask {
        parallelFor(planes, costPerItem: geo.outPlane) { r in
            fv_apply_mask(masked + r.lowerBound * geo.outPlane, Int32(geo.outPlane), dy + r.lowerBound * geo.outPlane,
                          Int32(geo.outPlane), mask + r.lowerBound * geo.maskPlane, Int32(geo.maskPlane),
                          Int32(r.count), Int32(geo.outHeight), Int32(geo.outWidth))
        }
        source = UnsafePointer(masked)
    }
    let kk = geo.kernelHeight * geo.kernelWidth
    if pairs < engineThreadCount {
        // Fewer images than threads (the stem at batch 1: 3 input channels): the whole unfolded
        // gradient in bands of columns, then folded by rows of dX, so that every thread gets an
        // equal share of both (blocks of input channels gave one thread two of the three).
        let col = UnsafeMutablePointer<Float>.allocate(capacity: geo.patch * geo.outPlane)
        defer { col.deallocate() }
        let bands = max(1, min(2 * chunksPerThread * engineThreadCount, geo.outPlane / 256))
        for pair in 0..<pairs {
            let (n, g) = pair.quotientAndRemainder(dividingBy: geo.groups)
            let gradient = source + (n * geo.outChannels + g * geo.groupOut) * geo.outPlane
            parallelFor(bands, costPerItem: 2 * geo.groupOut * geo.patch * geo.outPlane / bands / 64) { r in
                for band in r {
                    let c0 = geo.outPlane * band / bands, c1 = geo.outPlane * (band + 1) / bands
                    convProduct(transA: true, m: geo.patch, n: c1 - c0, k: geo.groupOut, w + g * geo.groupOut * geo.patch,
                                lda: geo.patch, gradient + c0, ldb: geo.outPlane, col + c0, ldc: geo.outPlane)
                }
            }
            let dxg = dx + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane
            parallelFor(geo.groupIn * geo.height, costPerItem: 4 * kk * geo.width) { rows in
                foldRows(col, geo, into: dxg, rows: rows)
            }
        }
        return
    }
    // An (image, group) pair per thread at a time.
    parallelFor(pairs, costPerItem: 2 * geo.groupOut * geo.patch * geo.outPlane / 64) { tiles in
        let col = UnsafeMutablePointer<Float>.allocate(capacity: geo.patch * geo.outPlane)
        defer { col.deallocate() }
        for pair in tiles {
            let (n, g) = pair.quotientAndRemainder(dividingBy: geo.groups)
            convProduct(transA: true, m: geo.patch, n: geo.outPlane, k: geo.groupOut, w + g * geo.groupOut * geo.patch,
                        lda: geo.patch, source + (n * geo.outChannels + g * geo.groupOut) * geo.outPlane, ldb: geo.outPlane,
                        col, ldc: geo.outPlane)
            fold(col, geo, into: dx + (n * geo.inChannels + g * geo.groupIn) * geo.inPlane)
        }
    }
}

/// Adds the unfolded columns of one (image, group) [patch, outPlane] into its input gradient (the
/// adjoint of im2col), as a scatter over the columns.
func fold(_ col: UnsafePointer<Float>, _ geo: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
    fv_col2im(col, Int32(geo.groupIn), Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight),
              Int32(geo.kernelWidth), Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft),
              Int32(geo.outHeight), Int32(geo.outWidth), dx)
}

/// `fold`'s rows `rows` of dX (row = channel · height + y) as a gather: the same sums, bit for bit.
func foldRows(_ col: UnsafePointer<Float>, _ geo: ConvGeometry, into dx: UnsafeMutablePointer<Float>, rows: Range<Int>) {
    fv_col2im_rows(col, Int32(geo.height), Int32(geo.width), Int32(geo.kernelHeight), Int32(geo.kernelWidth),
                   Int32(geo.stride), Int32(geo.padTop), Int32(geo.padLeft), Int32(geo.outHeight),
                   Int32(geo.outWidth), dx, Int32(rows.lowerBound), Int32(rows.upperBound))
}
