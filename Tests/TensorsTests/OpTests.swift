// Every other differentiable op: one line per op or configuration through `checkOp`.
import Foundation
import XCTest
@testable import Tensors

/// A plain elementwise reference.
private func pointwise(_ f: @escaping (Double) -> Double) -> ([Tensor]) -> Tensor {
    { xs in xs[0].map { Float(f(Double($0))) } }
}

final class ElementwiseTests: XCTestCase {
    let x = Inputs.normal([2, 3, 4], seed: 11)

    func testIsFiniteSeesEveryBlock() {
        // 3 × 224 × 113: many blocks of 4096, checked on several threads.
        let count = 3 * 224 * 113
        XCTAssertTrue(Tensor(shape: [count], scalars: (0..<count).map { Float($0) }).isFinite)
        for (at, bad) in [(0, Float.nan), (4095, .infinity), (4096, -.infinity), (count - 1, .nan), (count / 2, .nan)] {
            var scalars = [Float](repeating: 1, count: count)
            scalars[at] = bad
            XCTAssertFalse(Tensor(shape: [count], scalars: scalars).isFinite, "\(bad) at \(at)")
        }
        XCTAssertTrue(Tensor(shape: [0], scalars: []).isFinite)
    }
    let positive = Inputs.uniform([2, 3, 4], 0.5, 2, seed: 12)

    func testActivations() {
        checkOp([x], { relu($0[0]) }, reference: pointwise { max($0, 0) })
        checkOp([x.map { $0 * 4 }], { relu6($0[0]) }, reference: pointwise { min(max($0, 0), 6) })
        checkOp([x], { sigmoid($0[0]) }, reference: pointwise { 1 / (1 + Foundation.exp(-$0)) })
        checkOp([x], { tanh($0[0]) }, reference: pointwise { Foundation.tanh($0) })
    }

    func testFunctions() {
        checkOp([x], { exp($0[0]) }, reference: pointwise { Foundation.exp($0) })
        checkOp([positive], { log($0[0]) }, reference: pointwise { Foundation.log($0) })
        checkOp([x], { abs($0[0]) }, reference: pointwise { Swift.abs($0) })
        checkOp([positive], { sqrt($0[0]) }, reference: pointwise { $0.squareRoot() })
        checkOp([x], { clamp($0[0], min: -0.5, max: 0.7) }, reference: pointwise { min(max($0, -0.5), 0.7) })
        checkOp([x], { $0[0].squared() }, reference: pointwise { $0 * $0 })
    }

    func testArithmetic() {
        let y = Inputs.normal([2, 3, 4], seed: 13)
        checkOp([x, positive], { $0[0] / $0[1] }, reference: { $0[0].zipped(with: $0[1], /) })
        checkOp([x, y], { $0[0] + $0[1] }, reference: { $0[0].zipped(with: $0[1], +) })
        checkOp([x, y], { $0[0] - $0[1] }, reference: { $0[0].zipped(with: $0[1], -) })
        checkOp([x, y], { $0[0] * $0[1] }, reference: { $0[0].zipped(with: $0[1], *) })
        checkOp([x], { $0[0] / 4 }, reference: pointwise { $0 / 4 })
    }

    func testClampPassesGradientOnItsBounds() {
        let tape = Tape()
        let v = tape.variable(Tensor(shape: [4], scalars: [-2, 0, 1, 3]))
        XCTAssertEqual(tape.gradient(of: clamp(v, min: 0, max: 1).sum(), withRespectTo: v).scalars, [0, 1, 1, 0])
    }
}

/// Plain references for pooling and resampling.
private func naiveWindowPool(_ x: Tensor, kernel: Int, stride: Int, padding: Int, max: Bool) -> Tensor {
    let ho = (x.shape[2] + 2 * padding - kernel) / stride + 1, wo = (x.shape[3] + 2 * padding - kernel) / stride + 1
    return naivePlanes(x, ho: ho, wo: wo) { at, oy, ox in
        var best = -Double.infinity, sum = 0.0
        for ky in 0..<kernel { for kx in 0..<kernel {
            let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
            guard iy >= 0, iy < x.shape[2], ix >= 0, ix < x.shape[3] else { continue }
            best = Swift.max(best, at(iy, ix))
            sum += at(iy, ix)
        } }
        return max ? best : sum / Double(kernel * kernel)
    }
}

private func naiveAdaptive(_ x: Tensor, _ ho: Int, _ wo: Int) -> Tensor {
    let (h, w) = (x.shape[2], x.shape[3])
    return naivePlanes(x, ho: ho, wo: wo) { at, oy, ox in
        let y0 = Int(floor(Double(oy * h) / Double(ho))), y1 = Int(ceil(Double((oy + 1) * h) / Double(ho)))
        let x0 = Int(floor(Double(ox * w) / Double(wo))), x1 = Int(ceil(Double((ox + 1) * w) / Double(wo)))
        var sum = 0.0
        for iy in y0..<y1 { for ix in x0..<x1 { sum += at(iy, ix) } }
        return sum / Double((y1 - y0) * (x1 - x0))
    }
}

private func naiveResize(_ x: Tensor, _ ho: Int, _ wo: Int, _ alignCorners: Bool) -> Tensor {
    naivePlanes(x, ho: ho, wo: wo) { at, oy, ox in
        let (y0, y1, ty) = naiveSource(oy, input: x.shape[2], output: ho, alignCorners: alignCorners)
        let (x0, x1, tx) = naiveSource(ox, input: x.shape[3], output: wo, alignCorners: alignCorners)
        return (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1))
    }
}

final class PoolingTests: XCTestCase {
    let x = Inputs.distinct([2, 3, 7, 7], seed: 21)
    let even = Inputs.distinct([2, 2, 6, 8], seed: 22)

    func testMaxPool() {
        checkOp([even], { maxPool2d($0[0], kernel: 2, stride: 2) },
                reference: { naiveWindowPool($0[0], kernel: 2, stride: 2, padding: 0, max: true) })
        checkOp([x], { maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) },
                reference: { naiveWindowPool($0[0], kernel: 3, stride: 2, padding: 1, max: true) })
        checkOp([x], { maxPool2d($0[0], kernel: 3, stride: 1) },
                reference: { naiveWindowPool($0[0], kernel: 3, stride: 1, padding: 0, max: true) })
    }

    func testAvgPool() {
        checkOp([even], { avgPool2d($0[0], kernel: 2, stride: 2) },
                reference: { naiveWindowPool($0[0], kernel: 2, stride: 2, padding: 0, max: false) })
        checkOp([x], { avgPool2d($0[0], kernel: 3, stride: 2, padding: 1) },
                reference: { naiveWindowPool($0[0], kernel: 3, stride: 2, padding: 1, max: false) })
        checkOp([x], { avgPool2d($0[0], kernel: 3, stride: 1, padding: 1) },
                reference: { naiveWindowPool($0[0], kernel: 3, stride: 1, padding: 1, max: false) })
    }

    func testAdaptiveAvgPool() {
        checkOp([x], { adaptiveAvgPool2d($0[0], height: 3, width: 3) }, reference: { naiveAdaptive($0[0], 3, 3) })
        checkOp([even], { adaptiveAvgPool2d($0[0], height: 4, width: 3) }, reference: { naiveAdaptive($0[0], 4, 3) })
        checkOp([even], { adaptiveAvgPool2d($0[0], height: 1, width: 1) }, reference: { naiveAdaptive($0[0], 1, 1) })
        checkOp([even], { adaptiveAvgPool2d($0[0], height: 9, width: 10) }, reference: { naiveAdaptive($0[0], 9, 10) })
    }

    func testGlobalAvgPool() {
        checkOp([x], { globalAvgPool($0[0]) }, reference: { naiveAdaptive($0[0], 1, 1).reshaped([2, 3]) })
    }
}

/// The explicit element-wise loops (`scaled`, `shifted`, `adding`, `magnitudes`, `addMagnitudes`)
/// against the scalar expressions, over an array long enough to be split across the cores.
final class ElementwiseLoopTests: XCTestCase {
    func testLoopsAreTheScalarExpressions() {
        let a = Inputs.normal([3, 70_000], seed: 61), b = Inputs.normal([3, 70_000], seed: 62)
        XCTAssertEqual(a.scaled(by: 1.99).scalars, a.scalars.map { $0 * 1.99 })
        XCTAssertEqual(a.shifted(by: -0.99).scalars, a.scalars.map { $0 + -0.99 })
        XCTAssertEqual(a.adding(b).scalars, zip(a.scalars, b.scalars).map { $0 + $1 })
        XCTAssertEqual(a.magnitudes().scalars, a.scalars.map { Swift.abs($0) })
        var sum = a
        sum.addMagnitudes(of: b)
        XCTAssertEqual(sum.scalars, zip(a.scalars, b.scalars).map { $0 + Swift.abs($1) })
    }
}

/// The sigmoid's vector kernel against the scalar expression it replaces, bit for bit, on every
/// kernel path: a sweep of [−100, 100] (both sides of expf's fast range at ±88), the ends of the
/// float range, subnormals, infinities and NaN, in arrays whose lengths leave vector tails.
final class SigmoidTests: XCTestCase {
    func testSigmoidIsTheScalarExpressionBitForBit() {
        var values: [Float] = (0..<400_001).map { -100 + Float($0) / 2000 }
        values += [0, -0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                   .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 88, -88, 88.72, -88.72,
                   103.97, -103.97, 1e-30, -1e-30]
        var rng = SeededGenerator(seed: 5)
        values += (0..<100_000).map { _ in Float(bitPattern: UInt32.random(in: .min ... .max, using: &rng)) }
        onEveryKernelPath {
            for count in [values.count, 13, 7] {
                let x = Array(values.prefix(count))
                let got = sigmoid(Tape().constant(Tensor(shape: [count], scalars: x))).value.scalars
                for (i, v) in x.enumerated() where got[i].bitPattern != (1 / (1 + Foundation.exp(-v))).bitPattern {
                    return XCTFail("\(KernelPath.current): sigmoid(\(v)) = \(got[i]), the scalar expression \(1 / (1 + Foundation.exp(-v)))")
                }
            }
        }
    }
}

final class AdamStepTests: XCTestCase {
    /// The kernel against the plain Swift loop of its formulas, bit for bit, on every path: a fused
    /// multiply-add or a reciprocal of a divisor (both what the C target's -ffast-math would do)
    /// changes some of these.
    func testAdamStepIsTheScalarLoopBitForBit() {
        var rng = SeededGenerator(seed: 11)
        let n = 4099  // whole vectors and a tail on every path
        let g0 = (0..<n).map { _ in Float.random(in: -3...3, using: &rng) * Float(exp(Double.random(in: -12...4, using: &rng))) }
        let m0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let v0 = (0..<n).map { _ in Float.random(in: 0...2, using: &rng) }
        let p0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        let (b1, b2, lr, eps): (Float, Float, Float, Float) = (0.9, 0.999, 0.05, 1e-8)
        for step in [1, 2, 37] {
            let c1 = 1 - Foundation.pow(b1, Float(step)), c2 = 1 - Foundation.pow(b2, Float(step))
            var (p, m, v) = (p0, m0, v0)
            for i in 0..<n {
                m[i] = b1 * m[i] + (1 - b1) * g0[i]
                v[i] = b2 * v[i] + (1 - b2) * g0[i] * g0[i]
                p[i] += lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
            }
            onEveryKernelPath {
                var (q, mq, vq) = (p0, m0, v0)
                adamStep(parameters: &q, m: &mq, v: &vq, gradient: g0, count: n, beta1: b1, beta2: b2,
                         learningRate: lr, epsilon: eps, correction1: c1, correction2: c2)
                for i in 0..<n where q[i].bitPattern != p[i].bitPattern || mq[i].bitPattern != m[i].bitPattern
                    || vq[i].bitPattern != v[i].bitPattern {
                    return XCTFail("\(KernelPath.current), step \(step), element \(i): p \(q[i]) m \(mq[i]) v \(vq[i]); the loop: p \(p[i]) m \(m[i]) v \(v[i])")
                }
            }
        }
    }
}

final class ResampleTests: XCTestCase {
    let x = Inputs.normal([2, 2, 5, 6], seed: 31)

    func testResizeBilinear() {
        for alignCorners in [false, true] {
            for (h, w) in [(9, 13), (3, 4), (5, 6), (1, 1), (10, 3)] {
                checkOp([x], { resizeBilinear($0[0], height: h, width: w, alignCorners: alignCorners) },
                        reference: { naiveResize($0[0], h, w, alignCorners) })
            }
        }
    }

    /// The value, which interpolates each source row along its columns once for the output rows
    /// that read it, against every output pixel interpolated on its own (the Swift loop it
    /// replaced), bit for bit: up- and downsampling, rows cut between threads, odd shapes.
    func testResizeIsThePerPixelFormulaBitForBit() {
        for (shape, h, w, alignCorners) in [([1, 3, 150, 143], 224, 224, false), ([1, 3, 150, 143], 224, 224, true),
                                            ([2, 3, 97, 64], 41, 130, false), ([1, 2, 5, 6], 9, 13, false),
                                            ([1, 1, 1, 7], 3, 4, true), ([1, 1, 8, 1], 17, 1, false)] {
            let x = Inputs.normal(shape, seed: 12)
            let got = resizeBilinear(Tape().constant(x), height: h, width: w, alignCorners: alignCorners).value
            let (ih, iw) = (shape[2], shape[3])
            let rows = LinearTaps(input: ih, output: h, alignCorners: alignCorners)
            let cols = LinearTaps(input: iw, output: w, alignCorners: alignCorners)
            for p in 0..<(shape[0] * shape[1]) { for y in 0..<h { for xo in 0..<w {
                let r0 = p * ih * iw + Int(rows.lower[y]) * iw, r1 = p * ih * iw + Int(rows.upper[y]) * iw
                let c0 = Int(cols.lower[xo]), c1 = Int(cols.upper[xo]), tx = cols.weight[xo], ty = rows.weight[y]
                let top = x.scalars[r0 + c0] + (x.scalars[r0 + c1] - x.scalars[r0 + c0]) * tx
                let bottom = x.scalars[r1 + c0] + (x.scalars[r1 + c1] - x.scalars[r1 + c0]) * tx
                let want = top + (bottom - top) * ty, at = (p * h + y) * w + xo
                if got.scalars[at].bitPattern != want.bitPattern {
                    return XCTFail("\(shape) → \(h)×\(w)\(alignCorners ? " aligned" : ""), y[\(at)]: \(got.scalars[at]), per pixel \(want)")
                }
            } } }
        }
    }

    /// The gradient, split by source rows over the threads, against the scatter over the output it
    /// replaced (Swift scalars), bit for bit: a render's 128 → 224 upsampling and a downsampling,
    /// large enough that the planes' rows are cut between threads, and small odd shapes.
    func testResizeGradientIsTheScatterBitForBit() {
        for (shape, h, w, alignCorners) in [([1, 3, 150, 143], 224, 224, true), ([2, 3, 97, 64], 41, 130, false),
                                            ([1, 2, 5, 6], 9, 13, false), ([1, 1, 1, 7], 3, 4, true)] {
            let tape = Tape()
            let x = tape.variable(Inputs.normal(shape, seed: 7))
            let seed = Inputs.normal(Array(shape.prefix(2)) + [h, w], seed: 8)
            let got = tape.gradients(of: resizeBilinear(x, height: h, width: w, alignCorners: alignCorners), seed: seed)[x]
            let (ih, iw) = (shape[2], shape[3])
            let rows = LinearTaps(input: ih, output: h, alignCorners: alignCorners)
            let cols = LinearTaps(input: iw, output: w, alignCorners: alignCorners)
            var want = [Float](repeating: 0, count: x.value.count)
            for p in 0..<(shape[0] * shape[1]) {
                for y in 0..<h {
                    let r0 = Int(rows.lower[y]) * iw, r1 = Int(rows.upper[y]) * iw, ty = rows.weight[y]
                    for xo in 0..<w {
                        let v = seed.scalars[(p * h + y) * w + xo]
                        let c0 = Int(cols.lower[xo]), c1 = Int(cols.upper[xo]), tx = cols.weight[xo]
                        want[p * ih * iw + r0 + c0] += v * (1 - ty) * (1 - tx)
                        want[p * ih * iw + r0 + c1] += v * (1 - ty) * tx
                        want[p * ih * iw + r1 + c0] += v * ty * (1 - tx)
                        want[p * ih * iw + r1 + c1] += v * ty * tx
                    }
                }
            }
            if let i = want.indices.first(where: { want[$0].bitPattern != got.scalars[$0].bitPattern }) {
                XCTFail("\(shape) → \(h)×\(w): dx[\(i)] \(got.scalars[i]), the scatter \(want[i])")
            }
        }
    }

    /// PyTorch: interpolate([0, 1], size 4) is [0, 0.25, 0.75, 1]; with align_corners [0, ⅓, ⅔, 1];
    /// downsampling [0, 1, 2, 3] to 2 samples at 0.5 and 2.5.
    func testResizeMatchesPyTorchOnKnownValues() {
        let tape = Tape()
        let row = tape.constant(Tensor(shape: [1, 1, 1, 2], scalars: [0, 1]))
        XCTAssertEqual(resizeBilinear(row, height: 1, width: 4).value.scalars, [0, 0.25, 0.75, 1])
        let aligned = resizeBilinear(row, height: 1, width: 4, alignCorners: true).value.scalars
        for (a, b) in zip(aligned, [0, 1.0 / 3, 2.0 / 3, 1] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let four = tape.constant(Tensor(shape: [1, 1, 1, 4], scalars: [0, 1, 2, 3]))
        XCTAssertEqual(resizeBilinear(four, height: 1, width: 2).value.scalars, [0.5, 2.5])
    }

    func testPadAndCrop() {
        checkOp([x], { pad($0[0], top: 1, left: 2, bottom: 3, right: 0, value: 0.5) }, reference: { xs in
            naivePlanes(xs[0], ho: 9, wo: 8) { at, y, x in
                (1..<6).contains(y) && (2..<8).contains(x) ? at(y - 1, x - 2) : 0.5
            }
        })
        checkOp([x], { crop($0[0], top: 1, left: 2, height: 3, width: 4) }, reference: { xs in
            naivePlanes(xs[0], ho: 3, wo: 4) { at, y, x in at(y + 1, x + 2) }
        })
    }
}

final class ShapeAndReductionTests: XCTestCase {
    let x = Inputs.normal([2, 3, 4, 5], seed: 41)

    func testMatmul() {
        let a = Inputs.normal([3, 4], seed: 42), b = Inputs.normal([4, 5], seed: 43)
        let product: ([Tensor]) -> Tensor = { xs in
            var c = Tensor(zeros: [xs[0].shape[0], xs[1].shape[1]])
            forEachIndex(c.shape) { i in
                c[i[0], i[1]] = Float((0..<xs[0].shape[1]).reduce(0.0) { $0 + Double(xs[0][i[0], $1]) * Double(xs[1][$1, i[1]]) })
            }
            return c
        }
        checkOp([a, b], { matmul($0[0], $0[1]) }, reference: product)
        checkOp([a], { matmul($0[0], b) }, reference: { product([$0[0], b]) })
        checkOp([a], { $0[0].transposed() }, reference: { xs in
            var t = Tensor(zeros: [4, 3])
            forEachIndex([4, 3]) { t[$0[0], $0[1]] = xs[0][$0[1], $0[0]] }
            return t
        })
        // Large enough to be split across threads by columns, in every transpose combination.
        let big = Inputs.normal([8, 130], seed: 48), wide = Inputs.normal([130, 140], seed: 49)
        checkOp([big, wide], gradientReference: { xs, g in
            [product([g, xs[1].transposedPlainly()]), product([xs[0].transposedPlainly(), g])]
        }, { matmul($0[0], $0[1]) }, reference: product)
        checkOp([big], gradientReference: { xs, g in [product([g, wide.transposedPlainly()])] },
                { matmul($0[0], wide) }, reference: { product([$0[0], wide]) })
        let w = Inputs.normal([6, 4], seed: 44), bias = Inputs.normal([6], seed: 45)
        checkOp([a], { linear($0[0], weight: w, bias: bias) }, reference: { xs in
            var y = product([xs[0], w.transposedPlainly()])
            forEachIndex(y.shape) { y[$0[0], $0[1]] += bias[$0[1]] }
            return y
        })
    }

    func testConcatAndSlice() {
        let x = self.x
        for axis in [0, 1, 3] {
            var other = x.shape
            other[axis] = 2
            let y = Inputs.normal(other, seed: 46)
            checkOp([x, y], { concat($0, axis: axis) }, reference: { xs in
                var shape = x.shape
                shape[axis] += 2
                var out = Tensor(zeros: shape)
                forEachIndex(shape) { i in
                    var j = i
                    if i[axis] < x.shape[axis] { out.scalars[flatIndex(i, shape)] = xs[0].scalars[flatIndex(i, x.shape)] }
                    else { j[axis] -= x.shape[axis]; out.scalars[flatIndex(i, shape)] = xs[1].scalars[flatIndex(j, other)] }
                }
                return out
            })
            checkOp([x], { slice($0[0], axis: axis, range: 1..<2) }, reference: { xs in
                var shape = x.shape
                shape[axis] = 1
                var out = Tensor(zeros: shape)
                forEachIndex(shape) { i in
                    var j = i
                    j[axis] += 1
                    out.scalars[flatIndex(i, shape)] = xs[0].scalars[flatIndex(j, x.shape)]
                }
                return out
            })
        }
    }

    func testSumAndMean() {
        let x = self.x
        for (axes, keep) in [([1], false), ([0, 2], true), ([2, 3], false), ([-1], true), ([0, 1, 2, 3], false)] {
            let reference = { (xs: [Tensor], divide: Bool) -> Tensor in
                var kept = x.shape
                for a in axes { kept[(a + 4) % 4] = 1 }
                var out = Tensor(zeros: kept)
                forEachIndex(x.shape) { i in
                    let j = zip(i, kept).map { $1 == 1 ? 0 : $0 }
                    out.scalars[flatIndex(j, kept)] += xs[0].scalars[flatIndex(i, x.shape)]
                }
                let n = Float(x.count / out.count)
                let shape = keep ? kept : x.shape.indices.filter { d in !axes.contains { ($0 + 4) % 4 == d } }.map { x.shape[$0] }
                return Tensor(shape: shape, scalars: out.scalars.map { divide ? $0 / n : $0 })
            }
            checkOp([x], { sum($0[0], axes: axes, keepingDims: keep) }, reference: { reference($0, false) })
            checkOp([x], { mean($0[0], axes: axes, keepingDims: keep) }, reference: { reference($0, true) })
        }
    }

    func testBroadcast() {
        let x = self.x
        for yShape in [[1, 3, 1, 1], [5], [2, 1, 4, 1], [2, 3, 4, 5]] {
            let y = Inputs.normal(yShape, seed: 47)
            let padded = [Int](repeating: 1, count: 4 - yShape.count) + yShape
            let combine = { (xs: [Tensor], f: (Float, Float) -> Float) -> Tensor in
                var out = xs[0]
                forEachIndex(x.shape) { i in
                    let j = zip(i, padded).map { $1 == 1 ? 0 : $0 }
                    out.scalars[flatIndex(i, x.shape)] = f(xs[0].scalars[flatIndex(i, x.shape)], xs[1].scalars[flatIndex(j, padded)])
                }
                return out
            }
            checkOp([x, y], { broadcastMultiply($0[0], $0[1]) }, reference: { combine($0, *) })
            checkOp([x, y], { broadcastAdd($0[0], $0[1]) }, reference: { combine($0, +) })
        }
    }
}

private extension Tensor {
    func transposedPlainly() -> Tensor {
        var t = Tensor(zeros: [shape[1], shape[0]])
        forEachIndex(shape) { t[$0[1], $0[0]] = self[$0[0], $0[1]] }
        return t
    }
}
