import Foundation
import Tensors

/// MACO's spatial basis (Fel et al., "Unlocking Feature Visualization for Deeper Networks with
/// MAgnitude Constrained Optimization", NeurIPS 2023): the Fourier magnitude is fixed to a
/// natural-image spectrum and only the phase is optimized.
///
/// With phase parameters `φ` `[N, 3, h, w/2 + 1]`: `φ̂ = standardize(φ)`, spectrum
/// `M · (cos φ̂ + i sin φ̂)` with `M` the ``NaturalSpectrum`` resampled to the image size, image
/// `standardize(irfft2(spectrum))` — mean 0, deviation 1 per batch item, in decorrelated colour
/// (the parameterization then recorrelates and applies the sigmoid). Whatever the optimizer does,
/// every image keeps the amplitude spectrum of natural images, so high-frequency noise cannot
/// grow: the optimization can only move structure around.
///
/// ```swift
/// let spectrum = try NaturalSpectrum.load(contentsOf: "data/maco-spectrum.json")
/// let param = ImageParameterization.maco(size: 128, spectrum: spectrum)
/// ```
public struct MagnitudeConstrainedBasis: Sendable {
    public let height: Int, width: Int
    /// `w / 2 + 1` frequency columns.
    public var bins: Int { width / 2 + 1 }
    /// The fixed magnitude `[1, 3, h, bins]`.
    public let magnitude: Tensor
    let dft: RealFFT2D

    public init(height: Int, width: Int, spectrum: NaturalSpectrum) {
        self.height = height
        self.width = width
        magnitude = spectrum.resampled(height: height, width: width).reshaped([1, 3, height, width / 2 + 1])
        dft = RealFFT2D(height: height, width: width)
    }

    /// The standardized image `[N, 3, h, w]` (decorrelated colour) of `phase` `[N, 3, h, bins]`.
    func image(phase: Variable) -> Variable {
        let s = phase.shape
        let p = standardized(phase)
        let m = phase.tape.constant(magnitude)
        let re = broadcastMultiply(cos(p), m).reshaped([s[0] * 3, height, bins])
        let im = broadcastMultiply(sin(p), m).reshaped([s[0] * 3, height, bins])
        return standardized(inverseRealFFT2D(real: re, imaginary: im, dft).reshaped([s[0], 3, height, width]))
    }

    /// The phase of `image`'s spectrum (`[N, 3, h, w]`, decorrelated colour): the MACO image
    /// closest in structure to `image` — its magnitude stays the natural one, so this is a
    /// projection, not an exact fit.
    func phase(of image: Tensor) -> Tensor {
        let s = image.shape
        let (re, im) = dft.forward(image.reshaped([s[0] * 3, height, width]))
        let phase = zip(re.scalars, im.scalars).map { Foundation.atan2($1, $0) }
        return Tensor(shape: [s[0], 3, height, bins], scalars: phase)
    }
}
