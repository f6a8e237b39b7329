// Convolutions against the seven-loop reference: every path (im2col + sgemm, 1×1 sgemm,
// depthwise kernel), stride, SAME and explicit padding, groups and fused activations.
import XCTest
@testable import Tensors
import CKernels

final class ConvTests: XCTestCase {
    /// One convolution config: seeded x [n, cin, h, w], weight [cout, cin/groups, k, k], bias.
    /// Inputs have std 2 so ReLU6 clips at both ends.
    func conv(_ n: Int, _ cin: Int, _ h: Int, _ w: Int, cout: Int, k: Int, stride: Int = 1,
              padding: Padding = .symmetric(0), groups: Int = 1, activation: Activation = .none,
              bias: Bool = true, naiveGradient: Bool = false, tolerance: Double = 1e-4,
              file: StaticString = #filePath, line: UInt = #line) {
        let x = Inputs.normal([n, cin, h, w], seed: 1, std: 2)
        let weight = Inputs.normal([cout, cin / groups, k, k], seed: 2, std: 1 / Float(k * k * cin / groups).squareRoot() * 2)
        let b = bias ? Inputs.normal([cout], seed: 3) : nil
        checkOp([x], valueTolerance: tolerance,
                gradientTolerance: naiveGradient ? tolerance : 1e-2,
                gradientReference: naiveGradient ? { xs, g in
                    [naiveConvInputGradient(xs[0], weight, b, stride: stride, padding: padding, groups: groups,
                                            activation: activation, g)]
                } : nil, file: file, line: line) {
            conv2d($0[0], weight: weight, bias: b, stride: stride, padding: padding, groups: groups, activation: activation)
        } reference: {
            naiveConv($0[0], weight, b, stride: stride, padding: padding, groups: groups, activation: activation)
        }
    }

    func testGeneral3x3() {
        conv(2, 3, 7, 7, cout: 4, k: 3, padding: .symmetric(1))
        conv(2, 3, 7, 7, cout: 4, k: 3, bias: false)
        conv(1, 3, 6, 5, cout: 2, k: 3, stride: 2, padding: .symmetric(1))
        conv(2, 2, 6, 7, cout: 3, k: 3, padding: .explicit(top: 1, left: 0, bottom: 2, right: 1))
    }

    func testSamePadding() {
        conv(2, 3, 7, 7, cout: 4, k: 3, stride: 2, padding: .same)    // odd size, stride 2
        conv(2, 3, 8, 8, cout: 4, k: 3, stride: 2, padding: .same)    // even size: extra row/col bottom/right
        conv(1, 3, 7, 8, cout: 2, k: 5, stride: 2, padding: .same)
        conv(1, 2, 6, 6, cout: 3, k: 3, stride: 1, padding: .same)
        conv(1, 2, 9, 9, cout: 2, k: 4, stride: 1, padding: .same)    // even kernel, stride 1
        conv(1, 3, 16, 16, cout: 8, k: 3, stride: 2, padding: .same, activation: .relu6)  // the stem
    }

    func testGroups() {
        conv(2, 4, 6, 6, cout: 6, k: 3, padding: .symmetric(1), groups: 2)
        conv(1, 6, 5, 5, cout: 6, k: 3, stride: 2, padding: .same, groups: 3, activation: .relu)
        conv(1, 3, 5, 5, cout: 6, k: 3, padding: .same, groups: 3)     // channel multiplier 2
    }

    func testDepthwise() {
        onEveryKernelPath {
            conv(2, 4, 9, 9, cout: 4, k: 3, padding: .same, groups: 4)
            conv(2, 4, 9, 9, cout: 4, k: 3, stride: 2, padding: .same, groups: 4)
            conv(2, 4, 8, 8, cout: 4, k: 3, stride: 2, padding: .same, groups: 4)
            conv(2, 4, 9, 9, cout: 4, k: 5, padding: .same, groups: 4)
            conv(2, 4, 9, 10, cout: 4, k: 5, stride: 2, padding: .same, groups: 4)
            conv(1, 3, 6, 6, cout: 3, k: 3, padding: .explicit(top: 0, left: 2, bottom: 1, right: 0), groups: 3)
            conv(2, 4, 7, 7, cout: 4, k: 3, padding: .same, groups: 4, activation: .relu6)
            conv(1, 4, 7, 7, cout: 4, k: 5, stride: 2, padding: .same, groups: 4, activation: .relu, bias: false)
            conv(1, 2, 6, 6, cout: 2, k: 3, stride: 2, padding: .same, groups: 2, activation: .relu6)  // 3×3 output: rows narrower than half a vector
            // Rows of more than 4 strips whose width is not a multiple of 8: the last strip of a row
            // must not spill into the next row (EfficientNet-Lite1 at 240 px, Lite2 at 260 px).
            conv(1, 2, 36, 36, cout: 2, k: 3, padding: .same, groups: 2, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 2, 34, 68, cout: 2, k: 5, stride: 2, padding: .same, groups: 2, naiveGradient: true, tolerance: 1e-3)
        }
    }

    func testPointwise() {
        onEveryKernelPath {
            conv(2, 5, 6, 6, cout: 7, k: 1)
            conv(2, 5, 6, 6, cout: 7, k: 1, activation: .relu6)
            conv(1, 5, 6, 6, cout: 3, k: 1, bias: false, tolerance: 1e-4)
            conv(2, 4, 7, 7, cout: 3, k: 1, stride: 2, padding: .same)   // strided 1×1 takes the im2col path
            conv(1, 4, 5, 5, cout: 2, k: 1, padding: .symmetric(1))        // padded 1×1 too
        }
    }

    func testActivations() {
        onEveryKernelPath {
            conv(2, 3, 6, 6, cout: 4, k: 3, padding: .symmetric(1), activation: .relu)
            conv(2, 3, 6, 6, cout: 4, k: 3, padding: .symmetric(1), activation: .relu6)
        }
    }

    /// Larger shapes: the sgemm and depthwise kernels agree with the naive loops at the 1e-3 level,
    /// gradients included (against the naive scatter; too many elements to difference).
    func testLargerShapesAgreeWithNaive() {
        onEveryKernelPath {
            conv(2, 16, 20, 20, cout: 24, k: 3, stride: 1, padding: .same, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(2, 32, 15, 15, cout: 48, k: 3, stride: 2, padding: .same, naiveGradient: true, tolerance: 1e-3)
            conv(2, 64, 12, 12, cout: 40, k: 1, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(2, 32, 14, 14, cout: 32, k: 5, stride: 2, padding: .same, groups: 32, activation: .relu6,
                 naiveGradient: true, tolerance: 1e-3)
            conv(3, 24, 17, 17, cout: 24, k: 3, stride: 1, padding: .same, groups: 24, naiveGradient: true, tolerance: 1e-3)
        }
    }

    /// Stride-2 depthwise planes wide enough for the kernels' vector deinterleave and interleave,
    /// with even and odd left padding.
    func testWideStridedDepthwise() {
        onEveryKernelPath {
            conv(1, 4, 37, 40, cout: 4, k: 3, stride: 2, padding: .same, groups: 4, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 4, 41, 42, cout: 4, k: 5, stride: 2, padding: .same, groups: 4, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 3, 20, 45, cout: 3, k: 5, stride: 2, padding: .explicit(top: 2, left: 2, bottom: 1, right: 3), groups: 3,
                 naiveGradient: true, tolerance: 1e-3)
            conv(1, 3, 20, 47, cout: 3, k: 3, stride: 2, padding: .explicit(top: 0, left: 3, bottom: 1, right: 0), groups: 3,
                 naiveGradient: true, tolerance: 1e-3)
        }
    }

    /// Stride-1 depthwise planes wider than four vectors and not a whole number of them: the last
    /// strip of a row must not spill into the next row (the 8-lane kernels once did, above 32).
    func testWideStrideOneDepthwise() {
        onEveryKernelPath {
            for w in [33, 37, 45, 63] {
                conv(1, 3, 6, w, cout: 3, k: 3, padding: .same, groups: 3, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
                conv(1, 2, 5, w, cout: 2, k: 5, padding: .same, groups: 2, naiveGradient: true, tolerance: 1e-3)
            }
        }
    }

    /// Stride-1 planes taller than the forward kernel's block of 8 output rows, whose every input
    /// row is loaded once and added into the (up to 5) output rows it reaches; widths around whole
    /// vectors, so the taps' shifted lanes come from the row's next vector or its padding.
    func testTallStrideOneDepthwise() {
        onEveryKernelPath {
            for (h, w) in [(19, 16), (23, 17), (13, 40), (9, 8)] {
                conv(1, 2, h, w, cout: 2, k: 3, padding: .same, groups: 2, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
                conv(1, 2, h, w, cout: 2, k: 5, padding: .same, groups: 2, activation: .relu, naiveGradient: true, tolerance: 1e-3)
            }
            conv(1, 2, 12, 20, cout: 2, k: 5, padding: .explicit(top: 4, left: 0, bottom: 0, right: 4), groups: 2, tolerance: 1e-3)
        }
    }

    /// The kernels' AVX-512 build is chosen exactly where OpenBLAS's AVX-512 core is (the same
    /// cpuid test), and every weaker build runs too.
    func testKernelPathFollowsTheCPU() {
        XCTAssertEqual(KernelPath.cpu == .avx512, BLASCore.supportedByCPU == "SkylakeX")
        XCTAssertEqual(KernelPath.cpu == .avx2, BLASCore.supportedByCPU == "Haswell")
        XCTAssertEqual(KernelPath.runnable.last, KernelPath.cpu)
        XCTAssertEqual(KernelPath.current, KernelPath.cpu)
        KernelPath.forcing(.baseline) { XCTAssertEqual(KernelPath.current, .baseline) }
        KernelPath.forcing(.baseline) { XCTAssertEqual(KernelPath.convolutionProducts, "OpenBLAS sgemm") }
        XCTAssertEqual(KernelPath.convolutionProducts == "OpenBLAS sgemm", KernelPath.cpu != .avx512)
        XCTAssertEqual(KernelPath.current, KernelPath.cpu)
    }

    /// Shapes that the GEMM paths cut into several column tiles per image, the last one partial.
    func testTiledGEMMPaths() {
        onEveryKernelPath {
            // Small planes, one image: 1×1 products split by blocks of output / input channels.
            conv(1, 40, 4, 4, cout: 48, k: 1, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 33, 7, 7, cout: 21, k: 1, naiveGradient: true, tolerance: 1e-3)
            conv(2, 64, 30, 30, cout: 8, k: 1, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 16, 30, 30, cout: 8, k: 3, padding: .same, activation: .relu, naiveGradient: true, tolerance: 1e-3)
            conv(1, 3, 33, 31, cout: 8, k: 3, stride: 2, padding: .same, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            // A 28² plane at batch 1: four bands (9, 9, 9, 1 rows), each also cut into blocks of
            // output channels (forward) and of input channels (the gradient).
            conv(1, 40, 28, 28, cout: 240, k: 1, activation: .relu6, naiveGradient: true, tolerance: 1e-3)
            conv(1, 240, 28, 28, cout: 40, k: 1, naiveGradient: true, tolerance: 1e-3)
        }
    }

    /// The convolutions' own product kernel against a Swift chain of fused multiply-adds, bit for
    /// bit, on every path (AVX-512 vectors; the scalar loop elsewhere), plain and transposed A,
    /// with row and column tails; and cut into pieces of rows and columns, as the threads cut it,
    /// with the same bits as the whole (a kernel that summed the tail's columns or rows in another
    /// order, or in blocks of k, fails).
    func testConvProductIsOneFusedChainPerElement() {
        var rng = SeededGenerator(seed: 5)
        for (m, n, k) in [(27, 53, 32), (16, 49, 96), (8, 48, 1), (9, 15, 7), (40, 200, 240), (1, 1, 3)] {
            let a = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
            let ldb = n + 3, ldc = n + 5
            let b = (0..<k * ldb).map { _ in Float.random(in: -1...1, using: &rng) }
            for transposed in [false, true] {
                let (rs, cs) = transposed ? (1, m) : (k, 1)
                var chain = [Float](repeating: 0, count: m * ldc)
                for i in 0..<m { for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum = sum.addingProduct(a[i * rs + p * cs], b[p * ldb + j]) }
                    chain[i * ldc + j] = sum
                } }
                onEveryKernelPath {
                    var whole = [Float](repeating: .nan, count: m * ldc), pieces = whole
                    a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                        fv_conv_product(Int32(m), Int32(n), Int32(k), a.baseAddress!, rs, cs, b.baseAddress!, ldb,
                                        &whole, ldc, nil, 0, 0, 0, nil, 0)
                        pieces.withUnsafeMutableBufferPointer { c in
                            let (i1, j1) = (m / 3, n * 2 / 5)
                            for (r0, r1) in [(0, i1), (i1, m)] { for (c0, c1) in [(0, j1), (j1, n)] {
                                fv_conv_product(Int32(r1 - r0), Int32(c1 - c0), Int32(k), a.baseAddress! + r0 * rs, rs, cs,
                                                b.baseAddress! + c0, ldb, c.baseAddress! + r0 * ldc + c0, ldc,
                                                nil, 0, 0, 0, nil, 0)
                            } }
                        }
                    } }
                    for i in 0..<m { for j in 0..<n where whole[i * ldc + j].bitPattern != chain[i * ldc + j].bitPattern
                        || pieces[i * ldc + j].bitPattern != chain[i * ldc + j].bitPattern {
                        return XCTFail("\(KernelPath.current), \(m)×\(n)×\(k)\(transposed ? " transposed" : ""), C[\(i)][\(j)]: "
                                       + "\(whole[i * ldc + j]) whole, \(pieces[i * ldc + j]) in pieces, \(chain[i * ldc + j]) the chain")
                    } }
                    XCTAssertTrue(whole[n].isNaN, "the kernel wrote past a row's n columns")
                }
            }
        }
    }

    /// The product with its bias and ReLU6 applied inside the kernel against the product followed
    /// by `fv_bias_activation` on the whole tile: the same values and mask bits, on tiles of whole
    /// rows whose widths are not multiples of 8 (block by block after the product) and multiples of
    /// 8 but not 16 (on AVX-512 in registers, with vectors that run across two rows and half-vector
    /// tails).
    func testConvProductEpilogueIsTheSeparatePass() {
        var rng = SeededGenerator(seed: 8)
        for (m, rows, wo, k) in [(27, 3, 17, 24), (16, 4, 28, 40), (9, 1, 7, 5), (24, 3, 56, 16), (10, 5, 24, 9),
                                 (8, 3, 8, 3)] {
            let n = rows * wo, ldm = rows * ((wo + 7) / 8)
            let a = (0..<m * k).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<k * n).map { _ in Float.random(in: -2...2, using: &rng) }
            let bias = (0..<m).map { _ in Float.random(in: -2...5, using: &rng) }
            onEveryKernelPath {
                var fused = [Float](repeating: 0, count: m * n), separate = fused
                var fusedMask = [UInt8](repeating: 0, count: m * ldm), separateMask = fusedMask
                fv_conv_product(Int32(m), Int32(n), Int32(k), a, k, 1, b, n, &fused, n, bias, Int32(FV_ACT_RELU6),
                                Int32(rows), Int32(wo), &fusedMask, Int32(ldm))
                fv_conv_product(Int32(m), Int32(n), Int32(k), a, k, 1, b, n, &separate, n, nil, 0, 0, 0, nil, 0)
                fv_bias_activation(&separate, Int32(n), bias, Int32(m), Int32(rows), Int32(wo), Int32(FV_ACT_RELU6),
                                   &separateMask, Int32(ldm))
                XCTAssertEqual(fused.map(\.bitPattern), separate.map(\.bitPattern), "\(KernelPath.current), \(m) × \(rows)×\(wo)")
                XCTAssertEqual(fusedMask, separateMask, "\(KernelPath.current), \(m) × \(rows)×\(wo): mask")
                XCTAssertTrue(fused.contains(0) && fused.contains(6) && fused.contains { $0 > 0 && $0 < 6 })
            }
        }
    }

    /// Bias + ReLU6 with its mask against the scalar definition on every path: y = min(max(x + b, 0), 6),
    /// bit j of a row's mask set where 0 < x + b < 6, and the bits past a row's end in its last byte
    /// the bias's own (as though the row held zeros there). Widths that are not multiples of 8, which
    /// run as one stream of vectors across rows, and a wide one, which runs row by row.
    func testBiasActivationIsTheScalarDefinition() {
        var rng = SeededGenerator(seed: 21)
        for (channels, rows, wo) in [(5, 14, 14), (3, 7, 28), (4, 9, 7), (2, 3, 17), (3, 2, 50), (2, 3, 61), (3, 1, 3)] {
            let n = rows * wo, mrow = (wo + 7) / 8, ldy = n + 5, ldm = rows * mrow + 1
            let x = (0..<channels * ldy).map { _ in Float.random(in: -3...9, using: &rng) }
            let bias = (0..<channels).map { c in c == 0 ? Float(0.5) : Float.random(in: -2...2, using: &rng) }
            onEveryKernelPath {
                var y = x, mask = [UInt8](repeating: 0xA5, count: channels * ldm)
                fv_bias_activation(&y, Int32(ldy), bias, Int32(channels), Int32(rows), Int32(wo), Int32(FV_ACT_RELU6),
                                   &mask, Int32(ldm))
                for c in 0..<channels {
                    let b = bias[c], biasBit: UInt8 = b > 0 && b < 6 ? 1 : 0
                    for r in 0..<rows {
                        for j in 0..<(mrow * 8) {
                            let bit = mask[c * ldm + r * mrow + j / 8] >> (j % 8) & 1
                            guard j < wo else {
                                if bit != biasBit { return XCTFail("\(KernelPath.current), \(rows)×\(wo): bit \(j) past row \(r)") }
                                continue
                            }
                            let at = c * ldy + r * wo + j, z = x[at] + b
                            if y[at].bitPattern != min(max(z, 0), 6).bitPattern || bit != (z > 0 && z < 6 ? 1 : 0) {
                                return XCTFail("\(KernelPath.current), \(rows)×\(wo), channel \(c) row \(r) column \(j): \(y[at]), bit \(bit), z \(z)")
                            }
                        }
                    }
                    XCTAssertEqual(y[c * ldy + n..<(c + 1) * ldy], x[c * ldy + n..<(c + 1) * ldy], "wrote past the tile")
                }
            }
        }
    }

    /// The fold by rows that batch 1 uses against the scatter that batches use: the same sums bit
    /// for bit (the order of each pixel's taps is what makes them equal), rows taken in pieces.
    func testFoldByRowsIsTheScatterBitForBit() {
        for (h, w, k, s, padding) in [(224, 224, 3, 2, Padding.same), (17, 12, 3, 2, .same), (9, 11, 5, 2, .same),
                                           (8, 7, 4, 1, .same), (10, 9, 3, 3, .explicit(top: 2, left: 0, bottom: 1, right: 2)),
                                           (6, 6, 3, 1, .symmetric(1))] {
            let geo = ConvGeometry(input: [1, 3, h, w], weight: [8, 3, k, k], stride: s, padding: padding, groups: 1)
            let col = Inputs.normal([geo.patch * geo.outPlane], seed: 9).scalars
            var scattered = [Float](repeating: 0, count: 3 * h * w), gathered = scattered
            col.withUnsafeBufferPointer { c in
                scattered.withUnsafeMutableBufferPointer { fold(c.baseAddress!, geo, into: $0.baseAddress!) }
                gathered.withUnsafeMutableBufferPointer { d in
                    for start in stride(from: 0, to: 3 * h, by: 5) {
                        foldRows(c.baseAddress!, geo, into: d.baseAddress!, rows: start..<min(start + 5, 3 * h))
                    }
                }
            }
            if let i = gathered.indices.first(where: { gathered[$0].bitPattern != scattered[$0].bitPattern }) {
                XCTFail("\(h)×\(w), k \(k), stride \(s), \(padding): dX[\(i)] \(gathered[i]) by rows, \(scattered[i]) scattered")
            }
            XCTAssertGreaterThan(scattered.filter { $0 != 0 }.count, 3 * h * w / 2)
        }
    }

    func testSameGeometry() {
        // TF SAME on 7 (stride 2, k 3): output 4, total padding 2 → 1 top, 1 bottom;
        // on 8: output 4, total padding 1 → 0 top, 1 bottom (the extra row at the bottom).
        let odd = ConvGeometry(input: [1, 1, 7, 7], weight: [1, 1, 3, 3], stride: 2, padding: .same, groups: 1)
        XCTAssertEqual([odd.outHeight, odd.padTop], [4, 1])
        let even = ConvGeometry(input: [1, 1, 8, 8], weight: [1, 1, 3, 3], stride: 2, padding: .same, groups: 1)
        XCTAssertEqual([even.outHeight, even.padTop], [4, 0])
    }
}
