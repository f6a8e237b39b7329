// RealFFT2D against the dense DFT it replaced (kept here as the reference), NumPy's irfft2, the
// dot-product test for its adjoint and finite differences through the op.
import XCTest
@testable import Tensors

/// The dense real 2-D DFT with `ortho` normalization, as separable matrix products: the engine's
/// implementation before the FFT, O(h²w + hw²) per plane.
struct DenseRealDFT2D {
    let height: Int, width: Int
    var bins: Int { width / 2 + 1 }
    /// cos and sin(2πkm/h)/√h, [h, h]; synthesis cₗ·cos and cₗ·sin(2πln/w)/√w, [bins, w].
    private let cosH, sinH, cosW, sinW: Tensor

    init(height h: Int, width w: Int) {
        height = h
        width = w
        let b = w / 2 + 1
        func matrix(_ rows: Int, _ cols: Int, _ f: (Int, Int) -> Double) -> Tensor {
            Tensor(shape: [rows, cols], scalars: (0..<rows * cols).map { Float(f($0 / cols, $0 % cols)) })
        }
        let angleH = { (k: Int, m: Int) in 2 * Double.pi * Double((k * m) % h) / Double(h) }
        let angleW = { (l: Int, n: Int) in 2 * Double.pi * Double((l * n) % w) / Double(w) }
        let weight = { (l: Int) -> Double in l == 0 || (w % 2 == 0 && l == w / 2) ? 1 : 2 }
        cosH = matrix(h, h) { Foundation.cos(angleH($0, $1)) / Double(h).squareRoot() }
        sinH = matrix(h, h) { Foundation.sin(angleH($0, $1)) / Double(h).squareRoot() }
        cosW = matrix(b, w) { weight($0) * Foundation.cos(angleW($0, $1)) / Double(w).squareRoot() }
        sinW = matrix(b, w) { weight($0) * Foundation.sin(angleW($0, $1)) / Double(w).squareRoot() }
    }

    func inverse(real: Tensor, imaginary: Tensor) -> Tensor {
        let (h, w, b) = (height, width, bins)
        var out: [Float] = []
        for p in 0..<real.shape[0] {
            let xr = plane(real, p, h, b), xi = plane(imaginary, p, h, b)
            let zr = xr.matmul(cosW) - xi.matmul(sinW), zi = xr.matmul(sinW) + xi.matmul(cosW)
            out += (cosH.matmul(zr) - sinH.matmul(zi)).scalars
        }
        return Tensor(shape: [real.shape[0], h, w], scalars: out)
    }

    /// `rfft2`: the analysis matrices are the synthesis ones without the cₗ weights, transposed.
    func forward(_ image: Tensor) -> (real: Tensor, imaginary: Tensor) {
        let (h, w, b) = (height, width, bins)
        let unweight = Tensor(shape: [1, b], scalars: (0..<b).map { $0 == 0 || (w % 2 == 0 && $0 == w / 2) ? 1 : 0.5 })
        var re: [Float] = [], im: [Float] = []
        for p in 0..<image.shape[0] {
            let x = plane(image, p, h, w)
            let ur = x.matmul(cosW, transposeOther: true) * unweight, ui = x.matmul(sinW, transposeOther: true) * unweight
            re += (cosH.matmul(ur) - sinH.matmul(ui)).scalars
            im += (-1 * (cosH.matmul(ui) + sinH.matmul(ur))).scalars
        }
        return (Tensor(shape: [image.shape[0], h, b], scalars: re), Tensor(shape: [image.shape[0], h, b], scalars: im))
    }

    private func plane(_ t: Tensor, _ p: Int, _ rows: Int, _ cols: Int) -> Tensor {
        Tensor(shape: [rows, cols], scalars: Array(t.scalars[p * rows * cols..<(p + 1) * rows * cols]))
    }
}

// Elementwise arithmetic on equal-shaped (or [1, n]-broadcast rows) matrices, for the reference only.
private func zipped(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    let n = b.count
    return Tensor(shape: a.shape, scalars: a.scalars.indices.map { f(a.scalars[$0], b.scalars[$0 % n]) })
}
private func + (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, +) }
private func - (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, -) }
private func * (a: Tensor, b: Tensor) -> Tensor { zipped(a, b, *) }
private func * (s: Float, a: Tensor) -> Tensor { Tensor(shape: a.shape, scalars: a.scalars.map { s * $0 }) }

final class FFTTests: XCTestCase {
    /// Even, odd, prime, 1, and the book's sizes (48 and 64 in quick mode, 128, 224).
    let sizes = [(1, 1), (3, 6), (3, 7), (2, 9), (7, 11), (13, 5), (25, 27), (35, 12), (17, 128),
                 (48, 48), (64, 64), (128, 128), (224, 224), (97, 130)]

    func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    func testInverseMatchesNumPyIrfft2Ortho() {
        // numpy: re = arange(12).reshape(3, 4)/10 − 0.5, im = cos(arange(12)).reshape(3, 4);
        // numpy.fft.irfft2(re + 1j·im, s=(3, 6) and s=(3, 7), norm='ortho')
        let re = Tensor(shape: [1, 3, 4], scalars: (0..<12).map { Float($0) / 10 - 0.5 })
        let im = Tensor(shape: [1, 3, 4], scalars: (0..<12).map { Float(Foundation.cos(Double($0))) })
        let even: [Float] = [0.212132, -0.126805, -0.084868, -0.070711, 0.084868, -0.438881,
                             -2.120099, 0.508888, 0.018624, 0.009945, 1.105162, 0.251299,
                             0.423043, -0.816985, -1.105162, -0.009945, -0.018624, 0.056798]
        let odd: [Float] = [0.327327, -0.131377, -0.117993, -0.027699, -0.056503, 0.077669, -0.529681,
                            -2.235399, 0.722895, -0.324639, 0.494906, -0.211049, 1.589843, -0.280862,
                            0.402369, -0.381526, -1.517036, 0.021468, -0.305325, 0.251832, -0.060507]
        for (w, expected) in [(6, even), (7, odd)] {
            let x = RealFFT2D(height: 3, width: w).inverse(real: re, imaginary: im)
            XCTAssertEqual(x.shape, [1, 3, w])
            XCTAssertLessThan(maxError(x, Tensor(shape: [1, 3, w], scalars: expected)), 2e-5, "3×\(w)")
        }
    }

    func testInverseMatchesDenseDFT() {
        for (h, w) in sizes {
            let shape = [3, h, w / 2 + 1]
            let re = Inputs.normal(shape, seed: UInt64(h * 1000 + w)), im = Inputs.normal(shape, seed: UInt64(h + w * 1000))
            let fast = RealFFT2D(height: h, width: w).inverse(real: re, imaginary: im)
            let dense = DenseRealDFT2D(height: h, width: w).inverse(real: re, imaginary: im)
            XCTAssertLessThan(maxError(fast, dense), 2e-5 * max(1, dense.scalars.map(Swift.abs).max()!), "\(h)×\(w)")
        }
    }

    func testForwardMatchesDenseDFT() {
        for (h, w) in sizes {
            let x = Inputs.normal([3, h, w], seed: UInt64(h * 1000 + w))
            let (re, im) = RealFFT2D(height: h, width: w).forward(x)
            let (dr, di) = DenseRealDFT2D(height: h, width: w).forward(x)
            let scale = max(1, (dr.scalars + di.scalars).map(Swift.abs).max()!)
            XCTAssertLessThan(maxError(re, dr), 2e-5 * scale, "real part, \(h)×\(w)")
            XCTAssertLessThan(maxError(im, di), 2e-5 * scale, "imaginary part, \(h)×\(w)")
        }
    }

    /// ⟨A·X, G⟩ = ⟨X, Aᵀ·G⟩ for the inverse A and its transpose, at every test size.
    func testInverseTransposedPassesTheDotProductTest() {
        for (h, w) in sizes {
            let fft = RealFFT2D(height: h, width: w)
            let shape = [2, h, fft.bins]
            let re = Inputs.normal(shape, seed: 5), im = Inputs.normal(shape, seed: 6), g = Inputs.normal([2, h, w], seed: 7)
            let (gr, gi) = fft.inverseTransposed(g)
            func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
            let lhs = dot(fft.inverse(real: re, imaginary: im), g), rhs = dot(re, gr) + dot(im, gi)
            XCTAssertEqual(lhs, rhs, accuracy: 1e-5 * Double(re.count), "\(h)×\(w)")
            XCTAssertNotEqual(lhs, 0)
        }
    }

    func testForwardThenInverseIsIdentity() {
        for (h, w) in sizes {
            let fft = RealFFT2D(height: h, width: w)
            let x = Inputs.normal([2, h, w], seed: UInt64(h * 10 + w))
            let (re, im) = fft.forward(x)
            XCTAssertLessThan(maxError(fft.inverse(real: re, imaginary: im), x), 2e-5, "\(h)×\(w)")
        }
    }

    func testForwardIsParsevalOrthonormal() {
        // Σx² = Σ over the full spectrum |X|², where the half spectrum counts twice except the
        // self-conjugate columns.
        for (h, w) in [(6, 8), (5, 7)] {
            let x = Inputs.normal([1, h, w], seed: 3)
            let (re, im) = RealFFT2D(height: h, width: w).forward(x)
            var energy: Float = 0
            for k in 0..<h {
                for l in 0...(w / 2) {
                    let i = k * (w / 2 + 1) + l
                    energy += (l == 0 || 2 * l == w ? 1 : 2) * (re.scalars[i] * re.scalars[i] + im.scalars[i] * im.scalars[i])
                }
            }
            XCTAssertEqual(energy, x.scalars.map { $0 * $0 }.reduce(0, +), accuracy: 1e-3)
        }
    }

    func testInverseOpValueAndFiniteDifferences() {
        for (h, w) in [(3, 4), (3, 5), (4, 9)] {
            let fft = RealFFT2D(height: h, width: w), dense = DenseRealDFT2D(height: h, width: w)
            let shape = [2, h, w / 2 + 1]
            checkOp([Inputs.normal(shape, seed: 1), Inputs.normal(shape, seed: 2)]) { v in
                inverseRealFFT2D(real: v[0], imaginary: v[1], fft)
            } reference: { x in
                dense.inverse(real: x[0], imaginary: x[1])
            }
        }
    }

    /// The bin scale and output factor give the same bits as the separate products they replace
    /// (the Fourier parameterization's `broadcastMultiply` before and `* 0.25` after), value and
    /// gradient, at an odd and at the book's sizes, over several planes.
    func testScaledInverseEqualsTheComposedOpsBitForBit() {
        for (h, w) in [(5, 7), (128, 128), (224, 224)] {
            let fft = RealFFT2D(height: h, width: w), b = w / 2 + 1
            let scale = Inputs.normal([1, 1, h, b], seed: 3)
            let re = Inputs.normal([2, 3, h, b], seed: 4), im = Inputs.normal([2, 3, h, b], seed: 5)
            let seed = Inputs.normal([6, h, w], seed: 6)
            func run(_ fused: Bool) -> (Tensor, Tensor, Tensor) {
                let tape = Tape()
                let vr = tape.variable(re), vi = tape.variable(im)
                let y: Variable
                if fused {
                    y = inverseRealFFT2D(real: vr.reshaped([6, h, b]), imaginary: vi.reshaped([6, h, b]), fft,
                                         binScale: scale.scalars, outputScale: 0.25)
                } else {
                    let s = tape.constant(scale)
                    y = inverseRealFFT2D(real: broadcastMultiply(vr, s).reshaped([6, h, b]),
                                         imaginary: broadcastMultiply(vi, s).reshaped([6, h, b]), fft) * 0.25
                }
                let g = tape.gradients(of: y, seed: seed)
                return (y.value, g[vr], g[vi])
            }
            let (fy, fr, fi) = run(true), (cy, cr, ci) = run(false)
            XCTAssertEqual(fy.scalars, cy.scalars, "\(h)×\(w) value")
            XCTAssertEqual(fr.scalars, cr.scalars, "\(h)×\(w) real gradient")
            XCTAssertEqual(fi.scalars, ci.scalars, "\(h)×\(w) imaginary gradient")
        }
    }

    /// Every build of the column transforms (baseline, AVX2) gives the bits of the baseline, forward,
    /// inverse and with the Fourier image's scales, at every size here and at each length 2…40.
    func testEveryKernelPathGivesTheBaselineBits() {
        let lengths = (2...40).map { ($0, $0 + 1) } + sizes
        func transforms(_ h: Int, _ w: Int) -> [[Float]] {
            let fft = RealFFT2D(height: h, width: w), b = w / 2 + 1
            let re = Inputs.normal([3, h, b], seed: 7), im = Inputs.normal([3, h, b], seed: 8)
            let image = fft.inverse(real: re, imaginary: im, binScale: Inputs.normal([h * b], seed: 9).scalars,
                                    outputScale: 0.25)
            let (fr, fi) = fft.forward(image), (ar, ai) = fft.inverseTransposed(image)
            return [image.scalars, fr.scalars, fi.scalars, ar.scalars, ai.scalars]
        }
        let baseline = KernelPath.forcing(.baseline) { lengths.map { transforms($0.0, $0.1) } }
        onEveryKernelPath {
            for ((h, w), expected) in zip(lengths, baseline) {
                XCTAssertTrue(transforms(h, w) == expected, "\(h)×\(w) on \(KernelPath.current)")
            }
        }
    }
}
