import Foundation
import Tensors

/// Dense real 2-D discrete Fourier transforms of one size, with `ortho` normalization, as
/// separable matrix products (OpenBLAS sgemm).
///
/// The half spectrum of an `h × w` real image has `h × (w/2 + 1)` complex bins, stored as two real
/// tensors `[planes, h, w/2 + 1]` (real and imaginary parts). ``inverse(real:imaginary:)``
/// follows NumPy/PyTorch `irfft2(norm: "ortho")` exactly, including that the imaginary parts of
/// the columns that have no Hermitian partner (DC and, for even `w`, Nyquist) are ignored:
///
///     x[m, n] = 1/√(hw) · Σₖ Σₗ cₗ · Re(X[k, l] · e^{2πi(km/h + ln/w)})
///
/// with `cₗ = 1` for the self-conjugate columns and `2` for the others. Dense matrices cost
/// O(h²w + hw²) per plane, which for the 128-px images of feature visualization is a few
/// megaflops: less than one layer of the network, and simpler than an FFT.
///
/// ```swift
/// let dft = RealDFT2D(height: 4, width: 4)
/// let (re, im) = dft.forward(image)          // [planes, 4, 3] each
/// let back = dft.inverse(real: re, imaginary: im)  // equals image
/// ```
struct RealDFT2D: Sendable {
    let height: Int, width: Int
    /// Number of frequency columns kept: `width / 2 + 1`.
    let bins: Int
    /// cos(2πkm/h)/√h and sin(2πkm/h)/√h, [h, h] (symmetric).
    private let cosH: [Float], sinH: [Float]
    /// Synthesis along the width: cₗ cos(2πln/w)/√w and cₗ sin(2πln/w)/√w, [bins, w].
    private let cosW: [Float], sinW: [Float]
    /// Analysis along the width: cos(2πln/w)/√w and sin(2πln/w)/√w, [w, bins].
    private let cosWA: [Float], sinWA: [Float]

    init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "DFT size must be positive, got \(height)×\(width)")
        self.height = height
        self.width = width
        bins = width / 2 + 1
        let h = height, w = width, b = bins
        var ch = [Float](repeating: 0, count: h * h), sh = ch
        for m in 0..<h {
            for k in 0..<h {
                // Reduce the index product mod h first: exact angles, symmetric matrices.
                let angle = 2 * Double.pi * Double((k * m) % h) / Double(h)
                ch[m * h + k] = Float(Foundation.cos(angle) / Double(h).squareRoot())
                sh[m * h + k] = Float(Foundation.sin(angle) / Double(h).squareRoot())
            }
        }
        var cw = [Float](repeating: 0, count: b * w), sw = cw, cwa = cw, swa = cw
        for l in 0..<b {
            let selfConjugate = l == 0 || (w % 2 == 0 && l == w / 2)
            let weight = selfConjugate ? 1.0 : 2.0
            for n in 0..<w {
                let angle = 2 * Double.pi * Double((l * n) % w) / Double(w)
                let c = Foundation.cos(angle) / Double(w).squareRoot()
                let s = Foundation.sin(angle) / Double(w).squareRoot()
                cw[l * w + n] = Float(weight * c)
                sw[l * w + n] = Float(weight * s)
                cwa[n * b + l] = Float(c)
                swa[n * b + l] = Float(s)
            }
        }
        cosH = ch; sinH = sh; cosW = cw; sinW = sw; cosWA = cwa; sinWA = swa
    }

    /// The real image of a half spectrum: `[planes, h, bins]` twice → `[planes, h, w]`.
    func inverse(real: Tensor, imaginary: Tensor) -> Tensor {
        let planes = checkSpectrum(real, imaginary)
        let h = height, w = width, b = bins
        var out = [Float](repeating: 0, count: planes * h * w)
        real.scalars.withUnsafeBufferPointer { xr in
            imaginary.scalars.withUnsafeBufferPointer { xi in
                out.withUnsafeMutableBufferPointer { o in
                    // Planes are independent: split them over the cores (same arithmetic per plane).
                    parallelFor(planes, costPerItem: 4 * h * w * (b + h)) { range in
                        var zr = [Float](repeating: 0, count: h * w), zi = zr
                        for p in range {
                            let xrp = xr.baseAddress! + p * h * b, xip = xi.baseAddress! + p * h * b
                            // Along the width: Zr = Xr·Cw − Xi·Sw, Zi = Xr·Sw + Xi·Cw.
                            gemm(xrp, cosW, &zr, m: h, n: w, k: b)
                            gemm(xip, sinW, &zr, m: h, n: w, k: b, alpha: -1, beta: 1)
                            gemm(xrp, sinW, &zi, m: h, n: w, k: b)
                            gemm(xip, cosW, &zi, m: h, n: w, k: b, beta: 1)
                            // Along the height, keeping the real part: x = Ch·Zr − Sh·Zi.
                            let op = o.baseAddress! + p * h * w
                            gemm(cosH, zr, op, m: h, n: w, k: h)
                            gemm(sinH, zi, op, m: h, n: w, k: h, alpha: -1, beta: 1)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [planes, h, w], scalars: out)
    }

    /// The transpose of ``inverse(real:imaginary:)``: maps an image gradient `[planes, h, w]` to
    /// the gradients of the real and imaginary spectrum parts.
    func inverseTransposed(_ gradient: Tensor) -> (real: Tensor, imaginary: Tensor) {
        let h = height, w = width, b = bins
        precondition(gradient.rank == 3 && gradient.shape[1] == h && gradient.shape[2] == w,
                     "gradient shape \(gradient.shape) does not match a \(h)×\(w) DFT")
        let planes = gradient.shape[0]
        var gr = [Float](repeating: 0, count: planes * h * b), gi = gr
        gradient.scalars.withUnsafeBufferPointer { g in
            gr.withUnsafeMutableBufferPointer { gr in
                gi.withUnsafeMutableBufferPointer { gi in
                    parallelFor(planes, costPerItem: 6 * h * w * (b + h)) { range in
                        var zr = [Float](repeating: 0, count: h * w), zi = zr
                        for p in range {
                            let gp = g.baseAddress! + p * h * w
                            // gZr = Chᵀ·G, gZi = −Shᵀ·G.
                            gemm(cosH, transposeA: true, gp, &zr, m: h, n: w, k: h)
                            gemm(sinH, transposeA: true, gp, &zi, m: h, n: w, k: h, alpha: -1)
                            // gXr = gZr·Cwᵀ + gZi·Swᵀ, gXi = −gZr·Swᵀ + gZi·Cwᵀ.
                            let grp = gr.baseAddress! + p * h * b, gip = gi.baseAddress! + p * h * b
                            gemm(zr, cosW, transposeB: true, grp, m: h, n: b, k: w)
                            gemm(zi, sinW, transposeB: true, grp, m: h, n: b, k: w, beta: 1)
                            gemm(zr, sinW, transposeB: true, gip, m: h, n: b, k: w, alpha: -1)
                            gemm(zi, cosW, transposeB: true, gip, m: h, n: b, k: w, beta: 1)
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [planes, h, b], scalars: gr), Tensor(shape: [planes, h, b], scalars: gi))
    }

    /// The half spectrum of real images (`rfft2`, `ortho`): `[planes, h, w]` → two `[planes, h, bins]`.
    func forward(_ image: Tensor) -> (real: Tensor, imaginary: Tensor) {
        let h = height, w = width, b = bins
        precondition(image.rank == 3 && image.shape[1] == h && image.shape[2] == w,
                     "image shape \(image.shape) does not match a \(h)×\(w) DFT")
        let planes = image.shape[0]
        var xr = [Float](repeating: 0, count: planes * h * b), xi = xr
        var ur = [Float](repeating: 0, count: h * b), ui = ur
        image.scalars.withUnsafeBufferPointer { x in
            xr.withUnsafeMutableBufferPointer { xr in
                xi.withUnsafeMutableBufferPointer { xi in
                    for p in 0..<planes {
                        // Along the width: Ur = x·Fc, Ui = −x·Fs.
                        let xp = x.baseAddress! + p * h * w
                        gemm(xp, cosWA, &ur, m: h, n: b, k: w)
                        gemm(xp, sinWA, &ui, m: h, n: b, k: w, alpha: -1)
                        // Along the height: Xr = Ch·Ur + Sh·Ui, Xi = Ch·Ui − Sh·Ur.
                        let xrp = xr.baseAddress! + p * h * b, xip = xi.baseAddress! + p * h * b
                        gemm(cosH, ur, xrp, m: h, n: b, k: h)
                        gemm(sinH, ui, xrp, m: h, n: b, k: h, beta: 1)
                        gemm(cosH, ui, xip, m: h, n: b, k: h)
                        gemm(sinH, ur, xip, m: h, n: b, k: h, alpha: -1, beta: 1)
                    }
                }
            }
        }
        return (Tensor(shape: [planes, h, b], scalars: xr), Tensor(shape: [planes, h, b], scalars: xi))
    }

    private func checkSpectrum(_ re: Tensor, _ im: Tensor) -> Int {
        precondition(re.shape == im.shape, "real \(re.shape) and imaginary \(im.shape) parts differ")
        precondition(re.rank == 3 && re.shape[1] == height && re.shape[2] == bins,
                     "spectrum shape \(re.shape) does not match a \(height)×\(width) DFT ([planes, \(height), \(bins)])")
        return re.shape[0]
    }
}

/// `irfft2` with `ortho` normalization as a differentiable op: half-spectrum parts
/// `[planes, h, w/2+1]` → real images `[planes, h, w]`. Its pullback is the exact transpose.
func inverseRealDFT2D(real: Variable, imaginary: Variable, _ dft: RealDFT2D) -> Variable {
    let value = dft.inverse(real: real.value, imaginary: imaginary.value)
    return real.tape.record(value, inputs: [real, imaginary]) { g in
        let (gr, gi) = dft.inverseTransposed(g)
        return [gr, gi]
    }
}
