// The fused 1×1 → depthwise chain against the naive convolutions (value, finite differences) and
// against the same two convolutions recorded separately (gradient).
import XCTest
@testable import Tensors

final class ConvChainTests: XCTestCase {
    func chain(_ n: Int, _ cin: Int, _ h: Int, _ w: Int, channels: Int, k: Int, stride: Int,
               padding: Padding = .same, activations: (Activation, Activation) = (.relu6, .relu6),
               finiteDifferences: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        let x = Inputs.normal([n, cin, h, w], seed: 11, std: 2)
        let pw = Inputs.normal([channels, cin, 1, 1], seed: 12, std: 2 / Float(cin).squareRoot())
        let pb = Inputs.normal([channels], seed: 13)
        let dw = Inputs.normal([channels, 1, k, k], seed: 14, std: 2 / Float(k))
        let db = Inputs.normal([channels], seed: 15)
        func fused(_ v: Variable) -> Variable {
            pointwiseDepthwise(v, pointwiseWeight: pw, pointwiseBias: pb, pointwiseActivation: activations.0,
                               depthwiseWeight: dw, depthwiseBias: db, stride: stride, padding: padding,
                               activation: activations.1)
        }
        func separate(_ v: Variable) -> Variable {
            let hidden = conv2d(v, weight: pw, bias: pb, activation: activations.0)
            return conv2d(hidden, weight: dw, bias: db, stride: stride, padding: padding, groups: channels,
                          activation: activations.1)
        }
        if finiteDifferences {
            checkOp([x], file: file, line: line) { fused($0[0]) } reference: {
                let hidden = naiveConv($0[0], pw, pb, stride: 1, padding: .symmetric(0), groups: 1, activation: activations.0)
                return naiveConv(hidden, dw, db, stride: stride, padding: padding, groups: channels, activation: activations.1)
            }
        }
        let tape = Tape()
        let v = tape.variable(x)
        let a = fused(v), b = separate(v)
        XCTAssertEqual(a.value.scalars, b.value.scalars, "fused value differs", file: file, line: line)
        let seed = Inputs.normal(a.shape, seed: 16)
        let ga = tape.gradients(of: a, seed: seed)[v], gb = tape.gradients(of: b, seed: seed)[v]
        let err = zip(ga.scalars, gb.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
        let scale = max(1, gb.scalars.map { Swift.abs($0) }.max() ?? 0)
        XCTAssertLessThanOrEqual(err, 1e-5 * scale, "fused gradient differs from separate ops", file: file, line: line)
        XCTAssertGreaterThan(gb.scalars.filter { $0 == 0 }.count, 0, "masks never clipped: test too weak", file: file, line: line)
    }

    func testStrides() {
        chain(2, 3, 9, 9, channels: 4, k: 3, stride: 1)
        chain(2, 3, 9, 10, channels: 4, k: 3, stride: 2)
        chain(1, 2, 8, 8, channels: 3, k: 5, stride: 2)
        chain(1, 2, 7, 7, channels: 3, k: 5, stride: 1)
    }

    func testActivationsAndPadding() {
        chain(1, 3, 6, 7, channels: 4, k: 3, stride: 1, padding: .symmetric(1), activations: (.relu, .none))
        chain(1, 3, 6, 6, channels: 2, k: 3, stride: 2, activations: (.none, .relu6))
    }

    /// Wide rows (several mask bytes, partial last byte) at the sizes the stride-2 kernel vectorizes:
    /// its input gradient interleaves two vectors at a time, then one (53, 52 with 16 lanes; 45, 29
    /// with 8), then single columns, with even and odd left padding (37, 45: 1, 2; 53, 52, 29: 1).
    func testWideRowsAgreeWithSeparateOps() {
        onEveryKernelPath {
            for (w, stride, k) in [(37, 2, 3), (45, 2, 5), (53, 2, 3), (52, 2, 5), (29, 2, 3), (29, 1, 5), (40, 1, 3)] {
                chain(2, 5, 11, w, channels: 6, k: k, stride: stride, finiteDifferences: false)
            }
        }
    }
}
