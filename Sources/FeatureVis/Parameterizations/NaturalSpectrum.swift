import Foundation
import Models
import Tensors

/// The mean Fourier magnitude of natural images, in decorrelated colour: the fixed magnitude of
/// MACO's parameterization (Fel et al., NeurIPS 2023).
///
/// Estimated from photos (``estimate(photos:size:)``): every photo at full, half and quarter
/// resolution is cut into `size × size` tiles; each tile, minus its per-channel mean, is
/// decorrelated with ``ColourDecorrelation/inverse``, Hann-windowed and transformed; the
/// magnitudes are averaged. The book's spectrum, `data/maco-spectrum.json`, is this estimate over
/// `data/photos` (`scripts/maco-spectrum.sh` writes it; a test recomputes it). Any image size
/// reads it through ``resampled(height:width:)``, by frequency in cycles per pixel.
///
/// ```swift
/// let spectrum = try NaturalSpectrum.load(contentsOf: "data/maco-spectrum.json")
/// let m = spectrum.resampled(height: 128, width: 128)   // [3, 128, 65]
/// ```
public struct NaturalSpectrum: Sendable, Equatable {
    /// Side of the reference grid.
    public let size: Int
    /// Magnitudes `[3, size, size/2 + 1]` in NumPy `rfft2` layout (row k is frequency
    /// `fftfreq(size)[k]`); the DC bin holds the mean of its nearest neighbours (tiles are
    /// mean-free), so low frequencies interpolate smoothly.
    public let magnitude: [Float]
    /// How many tiles the estimate averaged.
    public let tiles: Int

    public var bins: Int { size / 2 + 1 }

    public init(size: Int, magnitude: [Float], tiles: Int) {
        precondition(size >= 4 && size % 2 == 0, "spectrum size must be even and ≥ 4, got \(size)")
        precondition(magnitude.count == 3 * size * (size / 2 + 1), "magnitude must have 3 × \(size) × \(size / 2 + 1) entries")
        self.size = size
        self.magnitude = magnitude
        self.tiles = tiles
    }

    /// The mean magnitude over tiles of `photos` (each `[1, 3, H, W]` in [0, 1]).
    public static func estimate(photos: [Tensor], size: Int = 64) -> NaturalSpectrum {
        let dft = RealFFT2D(height: size, width: size)
        let bins = size / 2 + 1
        let window = (0..<size).map { i in Float(0.5 - 0.5 * Foundation.cos(2 * Double.pi * (Double(i) + 0.5) / Double(size))) }
        let windowRMS = (window.map { $0 * $0 }.reduce(0, +) / Float(size))  // per axis; squared: the 2-D RMS²
        var sum = [Double](repeating: 0, count: 3 * size * bins)
        var tiles = 0
        for photo in photos {
            precondition(photo.rank == 4 && photo.shape[0] == 1 && photo.shape[1] == 3, "photos must be [1, 3, H, W], got \(photo.shape)")
            for factor in [1, 2, 4] {
                let h = photo.shape[2] / factor, w = photo.shape[3] / factor
                guard h >= size, w >= size else { continue }
                let scaled = factor == 1 ? photo : resizeBilinear(Tape().constant(photo), height: h, width: w).value
                for top in stride(from: 0, through: h - size, by: size) {
                    for left in stride(from: 0, through: w - size, by: size) {
                        var tile = crop(Tape().constant(scaled), top: top, left: left, height: size, width: size).value
                        tile = prepared(tile, window: window)
                        let (re, im) = dft.forward(tile.reshaped([3, size, size]))
                        for i in 0..<sum.count {
                            sum[i] += Double((re.scalars[i] * re.scalars[i] + im.scalars[i] * im.scalars[i]).squareRoot())
                        }
                        tiles += 1
                    }
                }
            }
        }
        precondition(tiles > 0, "no photo is at least \(size) px on each side")
        var magnitude = sum.map { Float($0 / Double(tiles) / Double(windowRMS)) }
        for c in 0..<3 {
            let base = c * size * bins
            magnitude[base] = (magnitude[base + 1] + magnitude[base + bins] + magnitude[base + (size - 1) * bins]) / 3
        }
        return NaturalSpectrum(size: size, magnitude: magnitude, tiles: tiles)
    }

    /// A tile minus its channel means, in decorrelated colour, windowed.
    private static func prepared(_ tile: Tensor, window: [Float]) -> Tensor {
        let size = window.count, plane = size * size
        var x = tile.scalars
        for c in 0..<3 {
            let mean = x[(c * plane)..<((c + 1) * plane)].reduce(0, +) / Float(plane)
            for p in 0..<plane { x[c * plane + p] -= mean }
        }
        var t = mixChannels(Tensor(shape: [1, 3, size, size], scalars: x), ColourDecorrelation.inverse).scalars
        for c in 0..<3 {
            for y in 0..<size { for xx in 0..<size { t[c * plane + y * size + xx] *= window[y] * window[xx] } }
        }
        return Tensor(shape: [1, 3, size, size], scalars: t)
    }

    /// Magnitudes `[3, height, width/2 + 1]` for an image of that size: each bin reads the
    /// reference at its frequency (cycles per pixel) by bilinear interpolation, rows wrapping
    /// around as the DFT's do. The DC bin is 0 (MACO's image mean is set by the sigmoid's centre).
    public func resampled(height: Int, width: Int) -> Tensor {
        precondition(height > 0 && width > 0, "size must be positive")
        let bins = width / 2 + 1, n = size, refBins = self.bins
        let fy = fftFrequencies(height)
        var out = [Float](repeating: 0, count: 3 * height * bins)
        for c in 0..<3 {
            for ky in 0..<height {
                let u = fy[ky] * Double(n)
                let u0 = Int(Foundation.floor(u)), du = Float(u - Double(u0))
                let r0 = ((u0 % n) + n) % n, r1 = (r0 + 1) % n
                for kx in 0..<bins {
                    if ky == 0 && kx == 0 { continue }
                    let v = min(Double(kx) / Double(width) * Double(n), Double(refBins - 1))
                    let v0 = min(Int(v), refBins - 2), dv = Float(v - Double(v0))
                    func at(_ r: Int, _ col: Int) -> Float { magnitude[(c * n + r) * refBins + col] }
                    let top = at(r0, v0) * (1 - dv) + at(r0, v0 + 1) * dv
                    let bottom = at(r1, v0) * (1 - dv) + at(r1, v0 + 1) * dv
                    out[(c * height + ky) * bins + kx] = top * (1 - du) + bottom * du
                }
            }
        }
        return Tensor(shape: [3, height, bins], scalars: out)
    }
}

// MARK: - Files

extension NaturalSpectrum {
    private struct File: Codable {
        let size: Int
        let tiles: Int
        let note: String
        let magnitude: [Float]
    }

    /// Reads a spectrum written by ``write(to:)``.
    /// - Throws: ``FeatureVisError/invalidArgument(name:value:valid:)`` naming the file when it is
    ///   not a spectrum of consistent size.
    public static func load(contentsOf path: String) throws -> NaturalSpectrum {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FeatureVisError.invalidArgument(name: "spectrum file", value: path, valid: "a readable JSON file (scripts/maco-spectrum.sh writes it)")
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data), file.size >= 4, file.size % 2 == 0,
              file.magnitude.count == 3 * file.size * (file.size / 2 + 1),
              file.magnitude.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw FeatureVisError.invalidArgument(name: "spectrum file", value: path,
                                                  valid: "JSON {size, tiles, note, magnitude: 3 × size × (size/2 + 1) finite values ≥ 0}")
        }
        return NaturalSpectrum(size: file.size, magnitude: file.magnitude, tiles: file.tiles)
    }

    /// Writes the spectrum as JSON (atomically), magnitudes rounded to 4 significant digits.
    public func write(to path: String, note: String) throws {
        let rounded = magnitude.map { Float(String(format: "%.4g", $0))! }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(File(size: size, tiles: tiles, note: note, magnitude: rounded))
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The spectrum with its magnitudes rounded as ``write(to:note:)`` stores them.
    public var rounded: NaturalSpectrum {
        NaturalSpectrum(size: size, magnitude: magnitude.map { Float(String(format: "%.4g", $0))! }, tiles: tiles)
    }
}
