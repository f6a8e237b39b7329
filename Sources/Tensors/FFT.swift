// Real 2-D FFTs with `ortho` normalization (NumPy's rfft2 / irfft2): the Fourier
// parameterization's image op and its exact adjoint, and the spectrum of the quality metrics. The
// transforms are the mixed-radix kernels of CKernels/fft.c; planes are split across the cores.
internal import CKernels

/// Real 2-D discrete Fourier transforms of one size, with `ortho` normalization.
///
/// The half spectrum of an `h × w` real image has `h × (w/2 + 1)` complex bins, stored as two real
/// tensors `[planes, h, w/2 + 1]` (real and imaginary parts). ``inverse(real:imaginary:)``
/// follows NumPy/PyTorch `irfft2(norm: "ortho")` exactly, including that the imaginary parts of
/// the columns that have no Hermitian partner (DC and, for even `w`, Nyquist) are ignored:
///
///     x[m, n] = 1/√(hw) · Σₖ Σₗ cₗ · Re(X[k, l] · e^{2πi(km/h + ln/w)})
///
/// with `cₗ = 1` for the self-conjugate columns and `2` for the others. Any size works: lengths
/// factor into radices 4, 2, 3 and whatever odd factors remain (a prime length costs O(n²) on
/// its axis, as a dense transform would).
///
/// ```swift
/// let fft = RealFFT2D(height: 4, width: 4)
/// let (re, im) = fft.forward(image)                 // [planes, 4, 3] each
/// let back = fft.inverse(real: re, imaginary: im)   // equals image
/// ```
public struct RealFFT2D: Sendable {
    public let height: Int, width: Int
    /// Number of frequency columns kept: `width / 2 + 1`.
    public var bins: Int { width / 2 + 1 }
    private let plans: Plans

    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "FFT size must be positive, got \(height)×\(width)")
        self.height = height
        self.width = width
        plans = Plans(height: height, width: width)
    }

    /// The real images of half spectra: `[planes, h, bins]` twice → `[planes, h, w]`.
    public func inverse(real: Tensor, imaginary: Tensor) -> Tensor {
        inverse(real: real, imaginary: imaginary, binScale: nil, outputScale: 1)
    }

    /// `outputScale · inverse(binScale ⊙ spectrum)` in one pass over the data, rounded as the
    /// separate products would be; `binScale` is `[h · bins]`, shared by every plane.
    func inverse(real: Tensor, imaginary: Tensor, binScale: [Float]?, outputScale: Float) -> Tensor {
        precondition(real.shape == imaginary.shape, "real \(real.shape) and imaginary \(imaginary.shape) parts differ")
        let planes = planeCount(real, [height, bins], "spectrum")
        let n = height * bins, m = height * width
        checkBinScale(binScale)
        let out = makeScalars(planes * m) { x in
            real.scalars.withUnsafeBufferPointer { re in
                imaginary.scalars.withUnsafeBufferPointer { im in
                    withOptionalPointer(binScale) { scale in
                        eachPlaneRange(planes) { p, count in
                            fv_irfft2(plans.height, plans.width, re.baseAddress! + p * n, im.baseAddress! + p * n,
                                      scale, outputScale, x + p * m, Int32(count))
                        }
                    }
                }
            }
        }
        return Tensor(shape: [planes, height, width], scalars: out)
    }

    /// The transpose of ``inverse(real:imaginary:)``: maps an image gradient `[planes, h, w]` to
    /// the gradients of the real and imaginary spectrum parts.
    public func inverseTransposed(_ gradient: Tensor) -> (real: Tensor, imaginary: Tensor) {
        halfSpectrum(gradient, adjoint: true)
    }

    /// The transpose of ``inverse(real:imaginary:binScale:outputScale:)``.
    func inverseTransposed(_ gradient: Tensor, binScale: [Float]?, outputScale: Float) -> (real: Tensor, imaginary: Tensor) {
        halfSpectrum(gradient, adjoint: true, inputScale: outputScale, binScale: binScale)
    }

    /// The half spectrum of real images (`rfft2`, `ortho`): `[planes, h, w]` → two `[planes, h, bins]`.
    public func forward(_ image: Tensor) -> (real: Tensor, imaginary: Tensor) {
        halfSpectrum(image, adjoint: false)
    }

    private func halfSpectrum(_ x: Tensor, adjoint: Bool, inputScale: Float = 1,
                              binScale: [Float]? = nil) -> (real: Tensor, imaginary: Tensor) {
        let planes = planeCount(x, [height, width], "image")
        let n = height * bins, m = height * width
        checkBinScale(binScale)
        var im = [Float](repeating: 0, count: planes * n)
        let re = makeScalars(planes * n) { re in
            im.withUnsafeMutableBufferPointer { im in
                x.scalars.withUnsafeBufferPointer { xb in
                    withOptionalPointer(binScale) { scale in
                        eachPlaneRange(planes) { p, count in
                            fv_rfft2(plans.height, plans.width, xb.baseAddress! + p * m, inputScale, re + p * n,
                                     im.baseAddress! + p * n, scale, Int32(count), adjoint ? 1 : 0)
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [planes, height, bins], scalars: re), Tensor(shape: [planes, height, bins], scalars: im))
    }

    private func checkBinScale(_ scale: [Float]?) {
        precondition(scale.map { $0.count == height * bins } ?? true,
                     "bin scale of \(scale?.count ?? 0) values for \(height)×\(bins) bins")
    }

    private func planeCount(_ t: Tensor, _ plane: [Int], _ what: String) -> Int {
        precondition(t.rank == 3 && Array(t.shape[1...]) == plane,
                     "\(what) shape \(t.shape) does not match a \(height)×\(width) FFT ([planes, \(plane[0]), \(plane[1])])")
        return t.shape[0]
    }

    /// Runs a kernel on ranges of planes (`body(first, count)`) split across the cores.
    private func eachPlaneRange(_ planes: Int, _ body: (Int, Int) -> Int32) {
        parallelFor(planes, costPerItem: 16 * height * width) { r in
            precondition(body(r.lowerBound, r.count) == 0, "out of memory in a \(height)×\(width) FFT")
        }
    }

    /// The two axes' plans, freed with the last copy of the transform.
    private final class Plans: @unchecked Sendable {  // immutable once made
        let height: OpaquePointer, width: OpaquePointer

        init(height h: Int, width w: Int) {
            guard let ph = fv_fft_plan_create(Int32(h)), let pw = fv_fft_plan_create(Int32(w)) else {
                preconditionFailure("out of memory planning a \(h)×\(w) FFT")
            }
            height = ph
            width = pw
        }

        deinit {
            fv_fft_plan_destroy(height)
            fv_fft_plan_destroy(width)
        }
    }
}

/// `irfft2` with `ortho` normalization as a differentiable op: half-spectrum parts
/// `[planes, h, w/2+1]` → real images `[planes, h, w]`. Its pullback is the exact transpose.
///
/// `binScale` (`[h · (w/2+1)]`, shared by every plane) multiplies the spectrum's bins before the
/// transform and `outputScale` the images after it: the same values as `broadcastMultiply` before
/// and `*` after, without their passes over the data.
///
/// ```swift
/// let image = inverseRealFFT2D(real: re, imaginary: im, RealFFT2D(height: 128, width: 128))
/// ```
public func inverseRealFFT2D(real: Variable, imaginary: Variable, _ fft: RealFFT2D,
                             binScale: [Float]? = nil, outputScale: Float = 1) -> Variable {
    let value = fft.inverse(real: real.value, imaginary: imaginary.value, binScale: binScale, outputScale: outputScale)
    return real.tape.record(value, inputs: [real, imaginary]) { g in
        let (gr, gi) = fft.inverseTransposed(g, binScale: binScale, outputScale: outputScale)
        return [gr, gi]
    }
}
