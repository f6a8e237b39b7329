// The fused MBConv block against the three convolutions it replaces: the naive convolutions for
// value and finite differences, the engine's separate ops for value and gradient at sizes that
// need several row bands (halos): bit for bit where the products are the engine's own.
import XCTest
@testable import Tensors

final class MBConvTests: XCTestCase {
    struct Block {
        let ew, eb, dw, db, pw, pb: Tensor
        let stride: Int, padding: Padding, activations: (Activation, Activation)

        init(cin: Int, hidden: Int, cout: Int, k: Int, stride: Int, padding: Padding = .same,
             activations: (Activation, Activation) = (.relu6, .relu6)) {
            ew = Inputs.normal([hidden, cin, 1, 1], seed: 21, std: 2 / Float(cin).squareRoot())
            eb = Inputs.normal([hidden], seed: 22)
            dw = Inputs.normal([hidden, 1, k, k], seed: 23, std: 2 / Float(k))
            db = Inputs.normal([hidden], seed: 24)
            pw = Inputs.normal([cout, hidden, 1, 1], seed: 25, std: 1 / Float(hidden).squareRoot())
            pb = Inputs.normal([cout], seed: 26)
            self.stride = stride
            self.padding = padding
            self.activations = activations
        }

        func fused(_ x: Variable, tileBytes: Int) -> Variable {
            mbconv(x, expandWeight: ew, expandBias: eb, expandActivation: activations.0, depthwiseWeight: dw,
                   depthwiseBias: db, stride: stride, padding: padding, depthwiseActivation: activations.1,
                   projectWeight: pw, projectBias: pb, tileBytes: tileBytes)
        }

        /// The ops the network composes the block of.
        func separate(_ x: Variable) -> Variable {
            let d = pointwiseDepthwise(x, pointwiseWeight: ew, pointwiseBias: eb, pointwiseActivation: activations.0,
                                       depthwiseWeight: dw, depthwiseBias: db, stride: stride, padding: padding,
                                       activation: activations.1)
            return conv2d(d, weight: pw, bias: pb)
        }

        func naive(_ x: Tensor) -> Tensor {
            let e = naiveConv(x, ew, eb, stride: 1, padding: .symmetric(0), groups: 1, activation: activations.0)
            let d = naiveConv(e, dw, db, stride: stride, padding: padding, groups: dw.shape[0], activation: activations.1)
            return naiveConv(d, pw, pb, stride: 1, padding: .symmetric(0), groups: 1, activation: .none)
        }
    }

    /// Value and gradient against the separate ops, for every tile size in `tileBytes`.
    func compare(_ block: Block, _ shape: [Int], tileBytes: [Int], file: StaticString = #filePath, line: UInt = #line) {
        let x = Inputs.normal(shape, seed: 27, std: 2)
        let tape = Tape()
        let v = tape.variable(x)
        let reference = block.separate(v)
        let seed = Inputs.normal(reference.shape, seed: 28)
        let expected = tape.gradients(of: reference, seed: seed)[v]
        // The masks matter: the expansion's pre-activations cross the activation's kinks.
        let pre = conv2d(v, weight: block.ew, bias: block.eb).value.scalars
        XCTAssertTrue(block.activations.0 == .none || pre.contains { $0 < 0 }, "no clipping: test too weak", file: file, line: line)
        let valueScale = max(1, reference.value.scalars.map(Swift.abs).max()!)
        let gradientScale = max(1, expected.scalars.map(Swift.abs).max()!)
        for bytes in tileBytes {
            let y = block.fused(v, tileBytes: bytes)
            XCTAssertEqual(y.shape, reference.shape, file: file, line: line)
            let valueError = zip(y.value.scalars, reference.value.scalars).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(valueError, 1e-5 * valueScale, "value, tiles of \(bytes) B", file: file, line: line)
            let got = tape.gradients(of: y, seed: seed)[v]
            if ownConvProduct {  // the composed ops' very sums, so the network may use either
                let values = zip(y.value.scalars, reference.value.scalars).filter { $0.bitPattern != $1.bitPattern }.count
                let gradients = zip(got.scalars, expected.scalars).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(values, 0, "values that differ in bits, tiles of \(bytes) B", file: file, line: line)
                XCTAssertEqual(gradients, 0, "gradients that differ in bits (of \(got.count)), tiles of \(bytes) B",
                               file: file, line: line)
            }
            let gradientError = zip(got.scalars, expected.scalars).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(gradientError, 1e-5 * gradientScale, "gradient, tiles of \(bytes) B", file: file, line: line)
        }
    }

    func testValueAndFiniteDifferencesAgainstNaiveConvolutions() {
        for (k, stride, shape) in [(3, 1, [2, 3, 7, 6]), (3, 2, [1, 3, 8, 9]), (5, 2, [1, 2, 9, 8]), (5, 1, [1, 2, 6, 6])] {
            let block = Block(cin: shape[1], hidden: 20, cout: 3, k: k, stride: stride)
            // 1 KB tiles: several row bands of one or two rows, so halos are crossed.
            checkOp([Inputs.normal(shape, seed: 29, std: 2)]) { block.fused($0[0], tileBytes: 1024) } reference: { block.naive($0[0]) }
        }
    }

    func testActivationsAndPadding() {
        compare(Block(cin: 3, hidden: 24, cout: 5, k: 3, stride: 1, padding: .symmetric(1), activations: (.relu, .none)),
                [1, 3, 6, 7], tileBytes: [256, 4096, 1 << 20])
        compare(Block(cin: 3, hidden: 24, cout: 5, k: 3, stride: 2, activations: (.none, .relu6)),
                [2, 3, 6, 6], tileBytes: [256, 1 << 20])
    }

    /// EfficientNet's block shapes (scaled down): row bands with halos, a band per row, one band,
    /// strides 1 and 2, 3×3 and 5×5, odd sizes.
    func testBlockShapesAgreeWithSeparateOps() {
        for (cin, hidden, cout, k, stride, shape) in [
            (16, 96, 24, 3, 2, [1, 16, 28, 28]), (24, 144, 24, 3, 1, [2, 24, 14, 14]),
            (24, 144, 40, 5, 2, [1, 24, 15, 15]), (40, 240, 40, 5, 1, [1, 40, 7, 9]), (40, 240, 40, 5, 1, [1, 40, 19, 9]),
            (8, 50, 8, 5, 1, [1, 8, 3, 3]),
        ] {
            compare(Block(cin: cin, hidden: hidden, cout: cout, k: k, stride: stride), shape,
                    tileBytes: [2048, 64 * 1024, MBConvPlan.defaultTileBytes])
        }
    }

    func testTilingCoversEveryRowOnce() {
        let plan = MBConvPlan(input: [1, 4, 15, 15], expand: [8, 4, 1, 1], depthwise: [8, 1, 5, 5], project: [4, 8, 1, 1],
                              stride: 2, padding: .same, tileBytes: 600)
        XCTAssertGreaterThan(plan.tiles(rowsPerTile: plan.forwardRows, height: plan.dw.outHeight).count, 2)
        // Every expanded row some output reads is read by a band; backward bands see the same outputs.
        var read = Set<Int>()
        for o in 0..<plan.dw.outHeight { read.formUnion(plan.expandedRows(reading: o..<(o + 1))) }
        for r in 0..<plan.dw.height {
            let outputs = plan.outputRows(readingFrom: r..<(r + 1))
            XCTAssertEqual(!outputs.isEmpty, read.contains(r), "row \(r)")
            for o in outputs { XCTAssertTrue(plan.expandedRows(reading: o..<(o + 1)).contains(r)) }
        }
    }
}
