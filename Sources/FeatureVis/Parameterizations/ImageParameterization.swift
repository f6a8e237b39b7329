import Foundation
import Tensors

/// How a batch of images is made from the numbers the optimizer changes (Lucid's `param.image`).
///
/// Three stages, each optional: a spatial **basis** (raw pixels, or a 1/f-scaled Fourier
/// spectrum), **colour decorrelation** (``ColourDecorrelation/matrix`` per pixel) and a
/// **range** mapping to [0, 1] (sigmoid, or clamp around grey). The default — Fourier,
/// decorrelated, sigmoid — is Lucid's and Lucent's `image(128)`.
///
/// ```swift
/// var param = ImageParameterization.fourier(size: 128, seed: 7)
/// let tape = Tape()
/// let image = param.makeImage(on: tape)       // Variable [1, 3, 128, 128] in (0, 1)
/// param.parameters                             // the spectrum parts Adam updates
/// ```
public struct ImageParameterization: Sendable {
    /// The spatial basis of the parameters.
    public enum Basis: Sendable, Equatable {
        /// One parameter per pixel and channel, `[N, 3, H, W]`.
        case pixel
        /// Real and imaginary parts of a half spectrum `[N, 3, H, W/2 + 1]`, scaled by 1/f^decay.
        case fourier(decayPower: Float)
        /// MACO: the phase `[N, 3, H, W/2 + 1]` of a spectrum whose magnitude is fixed to
        /// `spectrum` (see ``MagnitudeConstrainedBasis``).
        case magnitudeConstrained(NaturalSpectrum)
    }

    /// How unconstrained values become colours in [0, 1].
    public enum Range: Sendable, Equatable {
        /// `sigmoid(t)`: 0 is grey, always inside (0, 1), gradients everywhere.
        case sigmoid
        /// `clamp(t + 0.5, 0, 1)`: 0 is grey; pixel parameters are also projected back into
        /// [−0.5, 0.5] after each step so none gets stuck where the clamp has no gradient.
        case clamp
    }

    public let batch: Int, height: Int, width: Int
    public let basis: Basis
    public let decorrelated: Bool
    public let range: Range
    /// The seed and spread of the initial draw (a fitted parameterization keeps its template's).
    public let seed: UInt64, standardDeviation: Float
    /// The optimized tensors: `[image]` for pixels, `[real, imaginary]` for Fourier, `[phase]` for MACO.
    public var parameters: [Tensor]
    let fourier: FourierBasis?
    let maco: MagnitudeConstrainedBasis?

    /// A short description for logs: "fourier(1)+decorrelated+sigmoid 1×128×128".
    public var name: String {
        let b: String
        switch basis {
        case .pixel: b = "pixel"
        case .fourier(let d): b = "fourier(\(d.formatted()))"
        case .magnitudeConstrained: b = "maco"
        }
        return "\(b)\(decorrelated ? "+decorrelated" : "")+\(range) \(batch)×\(height)×\(width)"
    }

    /// Parameters drawn from N(0, `standardDeviation`²) — Lucid's initialization (sd 0.01).
    public init(batch: Int = 1, height: Int, width: Int, basis: Basis, decorrelated: Bool, range: Range,
                standardDeviation: Float = 0.01, seed: UInt64) {
        precondition(batch > 0 && height > 0 && width > 0, "image size must be positive: \(batch)×\(height)×\(width)")
        self.batch = batch
        self.height = height
        self.width = width
        self.basis = basis
        self.decorrelated = decorrelated
        self.range = range
        self.seed = seed
        self.standardDeviation = standardDeviation
        var rng = SeededGenerator(seed: seed)
        switch basis {
        case .pixel:
            fourier = nil
            maco = nil
            parameters = [Tensor(randomNormal: [batch, 3, height, width], standardDeviation: standardDeviation, using: &rng)]
        case .fourier(let decay):
            let f = FourierBasis(height: height, width: width, decayPower: decay)
            fourier = f
            maco = nil
            let shape = [batch, 3, height, f.bins]
            parameters = [Tensor(randomNormal: shape, standardDeviation: standardDeviation, using: &rng),
                          Tensor(randomNormal: shape, standardDeviation: standardDeviation, using: &rng)]
        case .magnitudeConstrained(let spectrum):
            let m = MagnitudeConstrainedBasis(height: height, width: width, spectrum: spectrum)
            fourier = nil
            maco = m
            // The phase is standardized before use, so its spread does not matter.
            parameters = [Tensor(randomNormal: [batch, 3, height, m.bins], standardDeviation: standardDeviation, using: &rng)]
        }
    }

    /// The parameterization's complete, stable description: its kind, its shape and a digest of
    /// the current parameters (so a seeded draw, a fitted photo and an optimized state each have
    /// their own key). Its part of a ``Recipe/key``.
    public var key: String {
        let basisKey: String
        switch basis {
        case .pixel: basisKey = "pixel"
        case .fourier(let d): basisKey = keyCall("fourier", d)
        case .magnitudeConstrained(let spectrum): basisKey = "maco#" + contentDigest([Tensor(shape: [spectrum.magnitude.count], scalars: spectrum.magnitude)])
        }
        return keyCall("image", Keyed(basisKey), decorrelated, Keyed("\(range)"), batch, height, width)
            + "#" + contentDigest(parameters)
    }

    /// A fresh draw of the same kind at another size and seed (for the octaves of a render).
    public func reseeded(size: Int, seed: UInt64) -> ImageParameterization {
        ImageParameterization(batch: batch, height: size, width: size, basis: basis, decorrelated: decorrelated,
                              range: range, standardDeviation: standardDeviation, seed: seed)
    }

    /// Lucid's default image: Fourier (1/f), decorrelated colour, sigmoid.
    public static func fourier(size: Int, batch: Int = 1, decayPower: Float = 1, decorrelated: Bool = true,
                               seed: UInt64 = 0) -> ImageParameterization {
        ImageParameterization(batch: batch, height: size, width: size, basis: .fourier(decayPower: decayPower),
                              decorrelated: decorrelated, range: .sigmoid, seed: seed)
    }

    /// MACO's image: natural magnitude, optimized phase, decorrelated colour, sigmoid.
    public static func maco(size: Int, batch: Int = 1, spectrum: NaturalSpectrum, seed: UInt64 = 0) -> ImageParameterization {
        ImageParameterization(batch: batch, height: size, width: size, basis: .magnitudeConstrained(spectrum),
                              decorrelated: true, range: .sigmoid, standardDeviation: 1, seed: seed)
    }

    /// Raw pixels (the comparison baseline): no decorrelation by default.
    public static func pixel(size: Int, batch: Int = 1, decorrelated: Bool = false, range: Range = .sigmoid,
                             seed: UInt64 = 0) -> ImageParameterization {
        ImageParameterization(batch: batch, height: size, width: size, basis: .pixel, decorrelated: decorrelated,
                              range: range, seed: seed)
    }

    /// Records the image `[N, 3, H, W]` made from `parameters` (variables holding ``parameters``).
    public func makeImage(from parameters: [Variable]) -> Variable {
        precondition(parameters.count == self.parameters.count,
                     "\(name) has \(self.parameters.count) parameter tensors, got \(parameters.count)")
        var t: Variable
        switch basis {
        case .pixel: t = parameters[0]
        case .fourier: t = fourier!.image(real: parameters[0], imaginary: parameters[1])
        case .magnitudeConstrained: t = maco!.image(phase: parameters[0])
        }
        if decorrelated { t = mixChannels(t, ColourDecorrelation.matrix) }
        switch range {
        case .sigmoid: return sigmoid(t)
        case .clamp: return clamp(t + 0.5, min: 0, max: 1)
        }
    }

    /// Records the image on `tape`, with the parameters as fresh variables.
    public func makeImage(on tape: Tape) -> Variable {
        makeImage(from: parameters.map { tape.variable($0) })
    }

    /// The current image as a plain tensor `[N, 3, H, W]` in [0, 1].
    public func image() -> Tensor { makeImage(on: Tape()).value }

    /// Keeps parameters where the range mapping has a gradient (pixel + clamp only; see ``Range/clamp``).
    public mutating func project() {
        guard range == .clamp, basis == .pixel, !decorrelated else { return }
        parameters[0] = parameters[0].map { Swift.min(Swift.max($0, -0.5), 0.5) }
    }
}
