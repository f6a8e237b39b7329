import Foundation
import Tensors

extension ImageParameterization {
    /// A parameterization of the same kind whose image is `image` (`[N, 3, H, W]`, values in
    /// [0, 1]), up to the range limits: the exact inverse of every stage (for MACO, whose
    /// magnitude is fixed, the image with `image`'s phase).
    ///
    /// Used to start an optimization from a photo, and by the multiscale render to continue at a
    /// larger size from the upsampled image. Sigmoid inputs are clipped to [0.001, 0.999] first
    /// (the logit of 0 or 1 is infinite).
    ///
    /// ```swift
    /// let start = ImageParameterization.fourier(size: 64).fitted(to: photo)
    /// // start.image() ≈ photo
    /// ```
    public func fitted(to image: Tensor) -> ImageParameterization {
        precondition(image.rank == 4 && image.shape[1] == 3, "fitted(to:) expects [N, 3, H, W], got \(image.shape)")
        var result = ImageParameterization(batch: image.shape[0], height: image.shape[2], width: image.shape[3],
                                           basis: basis, decorrelated: decorrelated, range: range,
                                           standardDeviation: standardDeviation, seed: seed)
        var t: Tensor
        switch range {
        case .sigmoid:
            t = image.map { v in
                let p = Swift.min(Swift.max(v, 0.001), 0.999)
                return Foundation.log(p / (1 - p))
            }
        case .clamp:
            t = image.map { $0 - 0.5 }
        }
        if decorrelated { t = mixChannels(t, ColourDecorrelation.inverse) }
        switch basis {
        case .pixel:
            result.parameters = [t]
        case .fourier:
            let (re, im) = result.fourier!.spectrum(of: t)
            result.parameters = [re, im]
        case .magnitudeConstrained:
            // Only the phase is free: the closest MACO image, not an exact fit.
            result.parameters = [result.maco!.phase(of: t)]
        }
        return result
    }
}
