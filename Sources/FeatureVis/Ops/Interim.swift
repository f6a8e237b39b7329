import Foundation
import Tensors

/// Differentiable ops that the engine branch provides under the same names; used here until it
/// lands, then this file goes away (call sites drop the `Interim.` prefix).
enum Interim {
    static func sigmoid(_ x: Variable) -> Variable {
        let y = x.value.map { 1 / (1 + Foundation.exp(-$0)) }
        return x.tape.record(y, inputs: [x]) { g in [g.zipped(with: y) { $0 * $1 * (1 - $1) }] }
    }

    static func clamp(_ x: Variable, min lo: Float, max hi: Float) -> Variable {
        let v = x.value
        return x.tape.record(v.map { Swift.min(Swift.max($0, lo), hi) }, inputs: [x]) { g in
            [g.zipped(with: v) { ($1 >= lo && $1 <= hi) ? $0 : 0 }]
        }
    }

    static func abs(_ x: Variable) -> Variable {
        let v = x.value
        return x.tape.record(v.map { Swift.abs($0) }, inputs: [x]) { g in
            [g.zipped(with: v) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    static func sqrt(_ x: Variable) -> Variable {
        let y = x.value.map { $0.squareRoot() }
        return x.tape.record(y, inputs: [x]) { g in [g.zipped(with: y) { $0 * 0.5 / $1 }] }
    }

    static func divide(_ a: Variable, _ b: Variable) -> Variable {
        let av = a.value, bv = b.value
        return a.tape.record(av.zipped(with: bv, /), inputs: [a, b]) { g in
            let ga = g.zipped(with: bv, /)
            return [ga, ga.zipped(with: av.zipped(with: bv, /)) { -$0 * $1 }]
        }
    }

    static func pad(_ x: Variable, top: Int, left: Int, bottom: Int, right: Int, value: Float = 0) -> Variable {
        let s = x.shape
        let (h, w) = (s[2], s[3]), (oh, ow) = (s[2] + top + bottom, s[3] + left + right)
        var out = Tensor(shape: [s[0], s[1], oh, ow], repeating: value)
        let planes = s[0] * s[1]
        for p in 0..<planes {
            for y in 0..<h {
                for xx in 0..<w { out.scalars[(p * oh + y + top) * ow + xx + left] = x.value.scalars[(p * h + y) * w + xx] }
            }
        }
        return x.tape.record(out, inputs: [x]) { g in
            var gi = Tensor(zeros: s)
            for p in 0..<planes {
                for y in 0..<h {
                    for xx in 0..<w { gi.scalars[(p * h + y) * w + xx] = g.scalars[(p * oh + y + top) * ow + xx + left] }
                }
            }
            return [gi]
        }
    }

    static func crop(_ x: Variable, top: Int, left: Int, height: Int, width: Int) -> Variable {
        let s = x.shape
        precondition(top >= 0 && left >= 0 && top + height <= s[2] && left + width <= s[3], "crop out of range")
        let (h, w) = (s[2], s[3]), planes = s[0] * s[1]
        var out = [Float](repeating: 0, count: planes * height * width)
        for p in 0..<planes {
            for y in 0..<height {
                for xx in 0..<width { out[(p * height + y) * width + xx] = x.value.scalars[(p * h + y + top) * w + xx + left] }
            }
        }
        return x.tape.record(Tensor(shape: [s[0], s[1], height, width], scalars: out), inputs: [x]) { g in
            var gi = Tensor(zeros: s)
            for p in 0..<planes {
                for y in 0..<height {
                    for xx in 0..<width { gi.scalars[(p * h + y + top) * w + xx + left] = g.scalars[(p * height + y) * width + xx] }
                }
            }
            return [gi]
        }
    }

    /// Elements `range` along `axis`.
    static func slice(_ x: Variable, axis: Int, range: Range<Int>) -> Variable {
        let s = x.shape
        let outer = s[..<axis].reduce(1, *), inner = s[(axis + 1)...].reduce(1, *), n = s[axis]
        var os = s; os[axis] = range.count
        var out = [Float](); out.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            let start = (o * n + range.lowerBound) * inner
            out += x.value.scalars[start..<start + range.count * inner]
        }
        return x.tape.record(Tensor(shape: os, scalars: out), inputs: [x]) { g in
            var gi = [Float](repeating: 0, count: s.reduce(1, *))
            for o in 0..<outer {
                let start = (o * n + range.lowerBound) * inner, gs = o * range.count * inner
                for i in 0..<range.count * inner { gi[start + i] = g.scalars[gs + i] }
            }
            return [Tensor(shape: s, scalars: gi)]
        }
    }

    /// Sum over one axis, keeping it as size 1.
    static func sum(_ x: Variable, axis: Int) -> Variable {
        let s = x.shape
        let outer = s[..<axis].reduce(1, *), inner = s[(axis + 1)...].reduce(1, *), n = s[axis]
        var os = s; os[axis] = 1
        var out = [Float](repeating: 0, count: outer * inner)
        for o in 0..<outer { for k in 0..<n { for i in 0..<inner { out[o * inner + i] += x.value.scalars[(o * n + k) * inner + i] } } }
        return x.tape.record(Tensor(shape: os, scalars: out), inputs: [x]) { g in
            var gi = [Float](repeating: 0, count: s.reduce(1, *))
            for o in 0..<outer { for k in 0..<n { for i in 0..<inner { gi[(o * n + k) * inner + i] = g.scalars[o * inner + i] } } }
            return [Tensor(shape: s, scalars: gi)]
        }
    }

    /// `x * y` where `y` has size 1 along some axes of `x`'s shape (same rank).
    static func broadcastMultiply(_ x: Variable, _ y: Variable) -> Variable {
        let xs = x.shape, ys = y.shape
        precondition(xs.count == ys.count, "rank mismatch \(xs) vs \(ys)")
        let count = xs.reduce(1, *)
        func yIndex(_ i: Int) -> Int {
            var rem = i, idx = 0, step = 1
            var coords = [Int](repeating: 0, count: xs.count)
            for d in stride(from: xs.count - 1, through: 0, by: -1) { coords[d] = rem % xs[d]; rem /= xs[d] }
            for d in stride(from: xs.count - 1, through: 0, by: -1) {
                idx += (ys[d] == 1 ? 0 : coords[d]) * step; step *= ys[d]
            }
            return idx
        }
        let map = (0..<count).map(yIndex)
        let xv = x.value, yv = y.value
        let out = (0..<count).map { xv.scalars[$0] * yv.scalars[map[$0]] }
        return x.tape.record(Tensor(shape: xs, scalars: out), inputs: [x, y]) { g in
            let gx = (0..<count).map { g.scalars[$0] * yv.scalars[map[$0]] }
            var gy = [Float](repeating: 0, count: ys.reduce(1, *))
            for i in 0..<count { gy[map[i]] += g.scalars[i] * xv.scalars[i] }
            return [Tensor(shape: xs, scalars: gx), Tensor(shape: ys, scalars: gy)]
        }
    }

    /// 2-D `[m, k] · [k, n]`.
    static func matmul(_ a: Variable, _ b: Variable) -> Variable {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        precondition(a.shape.count == 2 && b.shape == [k, n], "matmul shapes \(a.shape) · \(b.shape)")
        let av = a.value, bv = b.value
        var c = [Float](repeating: 0, count: m * n)
        gemm(av.scalars, bv.scalars, &c, m: m, n: n, k: k)
        return a.tape.record(Tensor(shape: [m, n], scalars: c), inputs: [a, b]) { g in
            var ga = [Float](repeating: 0, count: m * k), gb = [Float](repeating: 0, count: k * n)
            gemm(g.scalars, bv.scalars, transposeB: true, &ga, m: m, n: k, k: n)
            gemm(av.scalars, transposeA: true, g.scalars, &gb, m: k, n: n, k: m)
            return [Tensor(shape: [m, k], scalars: ga), Tensor(shape: [k, n], scalars: gb)]
        }
    }

    static func transposed(_ x: Variable) -> Variable {
        let (r, c) = (x.shape[0], x.shape[1])
        func t(_ v: Tensor, _ r: Int, _ c: Int) -> Tensor {
            var out = [Float](repeating: 0, count: r * c)
            for i in 0..<r { for j in 0..<c { out[j * r + i] = v.scalars[i * c + j] } }
            return Tensor(shape: [c, r], scalars: out)
        }
        return x.tape.record(t(x.value, r, c), inputs: [x]) { g in [t(g, c, r)] }
    }

    static func relu(_ x: Variable) -> Variable {
        let v = x.value
        return x.tape.record(v.map { Swift.max($0, 0) }, inputs: [x]) { g in [g.zipped(with: v) { $1 > 0 ? $0 : 0 }] }
    }
}
