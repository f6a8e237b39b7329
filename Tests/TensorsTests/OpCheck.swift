// The one test helper: an op's value against a naive reference written plainly in the tests, and
// its gradient against central finite differences (or, for shapes too big to difference, against a
// naive reference gradient).
import TestSupport
import XCTest
@testable import Tensors

/// Seeded inputs for the op tests.
enum Inputs {
    static func normal(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(randomNormal: shape, standardDeviation: std, using: &rng)
    }

    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(randomUniform: shape, low: low, high: high, using: &rng)
    }

    /// Distinct values 0.05 apart in a seeded order: no ties for max pooling to break.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let n = shape.reduce(1, *)
        let values = (0..<n).map { Float($0) * 0.05 - Float(n) * 0.025 }.shuffled(using: &rng)
        return Tensor(shape: shape, scalars: values)
    }
}

/// Runs `body` once on every build of the C kernels this CPU runs (AVX-512, AVX2 + FMA, baseline),
/// so each is checked against the same naive reference.
func onEveryKernelPath(file: StaticString = #filePath, line: UInt = #line, _ body: () -> Void) {
    XCTAssertGreaterThan(KernelPath.runnable.count, 1, "only the baseline kernels run here", file: file, line: line)
    for path in KernelPath.runnable { KernelPath.forcing(path, body) }
}

/// Checks `op` on `inputs` (every input is a variable):
///
/// * the value equals `reference(inputs)` within `valueTolerance`·max(1, max|reference|);
/// * for a random seeded output gradient g, the tape's input gradients equal the gradient of
///   Σ op(x)·g by central differences with step `step`, within `gradientTolerance`·max(1, max|numeric|).
///   Where an input element sits within one step of a kink (ReLU, clamp, max), the central difference
///   straddles it; there the forward or backward difference, one of which is clean, must match instead.
/// * With `gradientReference`, gradients are compared with that naive gradient instead of differences.
func checkOp(_ inputs: [Tensor], valueTolerance: Double = 1e-4, gradientTolerance: Double = 1e-2,
             step: Float = 1e-3, gradientReference: (([Tensor], Tensor) -> [Tensor])? = nil,
             file: StaticString = #filePath, line: UInt = #line,
             _ op: ([Variable]) -> Variable, reference: ([Tensor]) -> Tensor) {
    let tape = Tape()
    let variables = inputs.map { tape.variable($0) }
    let y = op(variables)
    let expected = reference(inputs)
    guard y.shape == expected.shape else {
        return XCTFail("shape \(y.shape), reference \(expected.shape)", file: file, line: line)
    }
    let scale = max(1, expected.scalars.map { Double(Swift.abs($0)) }.max() ?? 0)
    let valueError = zip(y.value.scalars, expected.scalars).map { Double(Swift.abs($0 - $1)) }.max() ?? 0
    XCTAssertLessThanOrEqual(valueError, valueTolerance * scale, "value differs from reference", file: file, line: line)

    guard let gradientReference else {
        return checkGradient(inputs, step: step, tolerance: gradientTolerance, file: file, line: line, op)
    }
    let seed = Inputs.normal(y.shape, seed: 977)
    let grads = tape.gradients(of: y, seed: seed)
    for (i, expectedGrad) in gradientReference(inputs, seed).enumerated() {
        let got = grads[variables[i]]
        let scale = max(1, expectedGrad.scalars.map { Double(Swift.abs($0)) }.max() ?? 0)
        let err = zip(got.scalars, expectedGrad.scalars).map { Double(Swift.abs($0 - $1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(err, gradientTolerance * scale, "input \(i): gradient differs from reference",
                                 file: file, line: line)
    }
}

// MARK: - Naive references (plain loops, Double accumulation)

/// Calls `body` with every multi-index of `shape` in row-major order.
func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
    let n = shape.reduce(1, *)
    guard n > 0 else { return }
    var index = [Int](repeating: 0, count: shape.count)
    for _ in 0..<n {
        body(index)
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { break }
            index[d] = 0
            d -= 1
        }
    }
}

func flatIndex(_ index: [Int], _ shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}

/// Padding amounts (top, left, bottom, right) and output size, with TF SAME worked out plainly.
func naivePadding(_ padding: Padding, h: Int, w: Int, kh: Int, kw: Int, stride: Int)
    -> (top: Int, left: Int, ho: Int, wo: Int) {
    switch padding {
    case .same:
        let ho = Int((Double(h) / Double(stride)).rounded(.up)), wo = Int((Double(w) / Double(stride)).rounded(.up))
        let totalH = max((ho - 1) * stride + kh - h, 0), totalW = max((wo - 1) * stride + kw - w, 0)
        return (totalH / 2, totalW / 2, ho, wo)  // the odd one out goes bottom/right
    case let .explicit(top, left, bottom, right):
        return (top, left, (h + top + bottom - kh) / stride + 1, (w + left + right - kw) / stride + 1)
    }
}

func activate(_ v: Double, _ activation: Activation) -> Double {
    switch activation {
    case .none: v
    case .relu: max(v, 0)
    case .relu6: min(max(v, 0), 6)
    }
}

/// The seven-loop direct convolution.
func naiveConv(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride: Int, padding: Padding, groups: Int,
               activation: Activation) -> Tensor {
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, cinG, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let p = naivePadding(padding, h: h, w: wd, kh: kh, kw: kw, stride: stride)
    let coutG = cout / groups
    var y = Tensor(zeros: [n, cout, p.ho, p.wo])
    let xs = x.scalars, ws = w.scalars  // flat reads: the checked subscript is slow in test builds
    for b in 0..<n { for co in 0..<cout { for oy in 0..<p.ho { for ox in 0..<p.wo {
        var acc = Double(bias?.scalars[co] ?? 0)
        let g = co / coutG
        for ci in 0..<cinG { for ky in 0..<kh { for kx in 0..<kw {
            let iy = oy * stride - p.top + ky, ix = ox * stride - p.left + kx
            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
            acc += Double(xs[((b * cin + g * cinG + ci) * h + iy) * wd + ix]) * Double(ws[((co * cinG + ci) * kh + ky) * kw + kx])
        } } }
        y[b, co, oy, ox] = Float(activate(acc, activation))
    } } } }
    return y
}

/// The input gradient of the seven-loop convolution, scattered plainly, for output gradient `g`.
func naiveConvInputGradient(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride: Int, padding: Padding,
                            groups: Int, activation: Activation, _ g: Tensor) -> Tensor {
    let y = naiveConv(x, w, bias, stride: stride, padding: padding, groups: groups, activation: activation)
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, cinG, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let p = naivePadding(padding, h: h, w: wd, kh: kh, kw: kw, stride: stride)
    let coutG = cout / groups
    let ws = w.scalars
    var dx = [Double](repeating: 0, count: n * cin * h * wd)
    for b in 0..<n { for co in 0..<cout { for oy in 0..<p.ho { for ox in 0..<p.wo {
        let out = Double(y[b, co, oy, ox])
        let passes: Bool
        switch activation {
        case .none: passes = true
        case .relu: passes = out > 0
        case .relu6: passes = out > 0 && out < 6
        }
        guard passes else { continue }
        let gv = Double(g[b, co, oy, ox]), grp = co / coutG
        for ci in 0..<cinG { for ky in 0..<kh { for kx in 0..<kw {
            let iy = oy * stride - p.top + ky, ix = ox * stride - p.left + kx
            guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
            dx[((b * cin + grp * cinG + ci) * h + iy) * wd + ix] += gv * Double(ws[((co * cinG + ci) * kh + ky) * kw + kx])
        } } }
    } } } }
    return Tensor(shape: x.shape, scalars: dx.map { Float($0) })
}

/// Applies `f` to every output cell (b, c, oy, ox) of an [N, C, ho, wo] result.
func naivePlanes(_ x: Tensor, ho: Int, wo: Int, _ f: (_ plane: (Int, Int) -> Double, Int, Int) -> Double) -> Tensor {
    var y = Tensor(zeros: [x.shape[0], x.shape[1], ho, wo])
    for b in 0..<x.shape[0] { for c in 0..<x.shape[1] { for oy in 0..<ho { for ox in 0..<wo {
        y[b, c, oy, ox] = Float(f({ Double(x[b, c, $0, $1]) }, oy, ox))
    } } } }
    return y
}

/// PyTorch's bilinear source coordinate, written out as its documentation describes it.
func naiveSource(_ d: Int, input: Int, output: Int, alignCorners: Bool) -> (Int, Int, Double) {
    var src: Double
    if alignCorners {
        src = output > 1 ? Double(d) * Double(input - 1) / Double(output - 1) : 0
    } else {
        src = (Double(d) + 0.5) * Double(input) / Double(output) - 0.5
        if src < 0 { src = 0 }
    }
    let i0 = min(Int(src.rounded(.down)), input - 1)
    return (i0, min(i0 + 1, input - 1), src - Double(i0))
}
