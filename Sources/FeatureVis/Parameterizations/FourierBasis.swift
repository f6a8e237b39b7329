import Foundation
import Tensors

/// The 1/f-scaled Fourier basis of Lucid's `fft_image`: an image is the inverse real DFT of a
/// half spectrum whose bins are scaled by `1 / max(|f|, 1/max(w, h))^decay`, divided by 4.
///
/// Scaling by 1/f makes every frequency band move at the same speed under gradient ascent —
/// natural images have roughly 1/f amplitude spectra — so the optimization is not dominated by
/// high-frequency patterns the network happens to be sensitive to.
///
/// ```swift
/// let basis = FourierBasis(height: 128, width: 128)
/// basis.scale.count   // 128 × 65
/// ```
public struct FourierBasis: Sendable {
    public let height: Int, width: Int
    public let decayPower: Float
    /// `w / 2 + 1` frequency columns.
    public var bins: Int { width / 2 + 1 }
    /// `sqrt(fx² + fy²)` with `fy = fftfreq(h)`, `fx = fftfreq(w)[..<bins]`, as `[h, bins]`.
    public let frequencies: [Float]
    /// `1 / max(frequencies, 1 / max(w, h))^decayPower`, as `[h, bins]`.
    public let scale: [Float]
    /// Lucid's constant: the image is the inverse DFT divided by this.
    public static let magic: Float = 4
    let fft: RealFFT2D

    public init(height: Int, width: Int, decayPower: Float = 1) {
        self.height = height
        self.width = width
        self.decayPower = decayPower
        let fy = fftFrequencies(height), fx = Array(fftFrequencies(width)[..<(width / 2 + 1)])
        var freqs = [Float](), scale = [Float]()
        let floor = 1 / Double(max(width, height))
        for y in fy {
            for x in fx {
                let f = (x * x + y * y).squareRoot()
                freqs.append(Float(f))
                scale.append(Float(1 / Foundation.pow(max(f, floor), Double(decayPower))))
            }
        }
        frequencies = freqs
        self.scale = scale
        fft = RealFFT2D(height: height, width: width)
    }

    /// Images `[N, C, h, w]` from spectrum parts `[N, C, h, bins]` (differentiable).
    func image(real: Variable, imaginary: Variable) -> Variable {
        let s = real.shape
        let planes = s[0] * s[1]
        // The 1/f scale and Lucid's constant ride along with the transform's own passes.
        return inverseRealFFT2D(real: real.reshaped([planes, height, bins]),
                                imaginary: imaginary.reshaped([planes, height, bins]),
                                fft, binScale: scale, outputScale: 1 / Self.magic)
            .reshaped([s[0], s[1], height, width])
    }

    /// The spectrum parts whose ``image(real:imaginary:)`` is exactly `image` `[N, C, h, w]`.
    func spectrum(of image: Tensor) -> (real: Tensor, imaginary: Tensor) {
        let s = image.shape
        let (re, im) = fft.forward(image.reshaped([s[0] * s[1], height, width]))
        let n = height * bins
        func unscale(_ t: Tensor) -> Tensor {
            var out = t.scalars
            for i in 0..<out.count { out[i] *= Self.magic / scale[i % n] }
            return Tensor(shape: [s[0], s[1], height, bins], scalars: out)
        }
        return (unscale(re), unscale(im))
    }
}

/// NumPy's `fft.fftfreq(n)`: `[0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / n`.
func fftFrequencies(_ n: Int) -> [Double] {
    (0..<n).map { i in Double(i < (n + 1) / 2 ? i : i - n) / Double(n) }
}
