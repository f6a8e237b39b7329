// MACO's parameterization: the natural spectrum it fixes, its differentiable pieces by finite
// differences, and the property that makes it MACO — the magnitude cannot change.
import TestSupport
import Foundation
import XCTest
import Models
import Tensors
@testable import FeatureVis

final class MACOTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static var spectrumPath: String { repository.appendingPathComponent("data/maco-spectrum.json").path }

    /// A small spectrum with 1/f-like magnitudes, for tests that do not need the real one.
    private func toySpectrum(size: Int = 8) -> NaturalSpectrum {
        let bins = size / 2 + 1
        let fy = fftFrequencies(size)
        var m: [Float] = []
        for c in 0..<3 { for y in 0..<size { for x in 0..<bins {
            m.append(Float(1 / max(0.05, (fy[y] * fy[y] + Double(x * x) / Double(size * size)).squareRoot())) * Float(c + 1))
        } } }
        return NaturalSpectrum(size: size, magnitude: m, tiles: 1)
    }

    func testCosSinAndStandardizeGradientsByFiniteDifferences() {
        let x = seededNormal([2, 3, 2, 3], seed: 1)
        checkGradient([x], step: 1e-3) { cos($0[0]) }
        checkGradient([x], step: 1e-3) { sin($0[0]) }
        checkGradient([x], step: 1e-3) { standardized($0[0]) }
    }

    func testStandardizedHasMeanZeroAndDeviationOnePerItem() {
        let x = seededNormal([2, 3, 4, 4], seed: 2, std: 5).map { $0 + 3 }
        let y = standardized(Tape().constant(x)).value.scalars
        for b in 0..<2 {
            let item = y[(b * 48)..<((b + 1) * 48)].map(Double.init)
            let mean = item.reduce(0, +) / 48
            let sd = (item.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 48).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 1e-5)
            XCTAssertEqual(sd, 1, accuracy: 1e-3)
        }
    }

    /// Gradients through the whole MACO parameterization (phase → image in [0, 1]) against
    /// central differences at every phase element.
    func testMACOImageGradientByFiniteDifferences() {
        let p = ImageParameterization(height: 6, width: 5, basis: .magnitudeConstrained(toySpectrum()),
                                      decorrelated: true, range: .sigmoid, standardDeviation: 1, seed: 3)
        XCTAssertEqual(p.parameters.map(\.shape), [[1, 3, 6, 3]])
        checkGradient(p.parameters, step: 1e-3) { p.makeImage(from: $0) }
    }

    /// Whatever the phase, the image's spectrum before colour and sigmoid has the fixed magnitude
    /// (up to the global scale that standardization sets): changing the phase moves structure,
    /// never the amplitude of any frequency.
    func testOnlyThePhaseChangesTheMagnitudeIsFixed() {
        let spectrum = toySpectrum()
        let basis = MagnitudeConstrainedBasis(height: 8, width: 8, spectrum: spectrum)
        for seed in [4, 5] as [UInt64] {
            var ratios: [Float] = []
            let phase = seededNormal([1, 3, 8, 5], seed: seed)
            let image = basis.image(phase: Tape().constant(phase)).value
            let (re, im) = basis.dft.forward(image.reshaped([3, 8, 8]))
            let m = basis.magnitude.scalars
            // Columns with no Hermitian partner (DC, Nyquist) lose their imaginary part in irfft2.
            for i in 0..<m.count where i % 5 != 0 && i % 5 != 4 {
                ratios.append((re.scalars[i] * re.scalars[i] + im.scalars[i] * im.scalars[i]).squareRoot() / m[i])
            }
            let mean = ratios.reduce(0, +) / Float(ratios.count)
            for r in ratios { XCTAssertEqual(r, mean, accuracy: 1e-3 * mean, "seed \(seed)") }
        }
    }

    func testResampleReadsByFrequencyAndZeroesDC() {
        let s = toySpectrum(size: 8)
        let same = s.resampled(height: 8, width: 8)
        XCTAssertEqual(same.shape, [3, 8, 5])
        for i in 0..<same.count {
            XCTAssertEqual(same.scalars[i], i % 40 == 0 ? 0 : s.magnitude[i], "bin \(i)")  // DC of each channel is 0
        }
        // At twice the size, bin 2 has bin 1's frequency and bin 1 lies halfway to DC's stored value.
        let big = s.resampled(height: 16, width: 16)
        XCTAssertEqual(big.scalars[2], s.magnitude[1], accuracy: 1e-6)
        XCTAssertEqual(big.scalars[1], (s.magnitude[0] + s.magnitude[1]) / 2, accuracy: 1e-5)
        // Row 15 is frequency −1/16: halfway between reference rows 0 and 7 (−1/8).
        XCTAssertEqual(big.scalars[15 * 9], (s.magnitude[0] + s.magnitude[7 * 5]) / 2, accuracy: 1e-5)
    }

    /// The committed spectrum is what the estimator computes from data/photos (rounded as stored),
    /// and it falls with frequency as natural images' do.
    func testCommittedSpectrumIsTheEstimateFromThePhotos() throws {
        let stored = try NaturalSpectrum.load(contentsOf: Self.spectrumPath)
        let photosDirectory = Self.repository.appendingPathComponent("data/photos")
        let photos = try FileManager.default.contentsOfDirectory(atPath: photosDirectory.path).filter { $0.hasSuffix(".png") }
            .sorted().map { try PNG.read(photosDirectory.appendingPathComponent($0).path) }
        let estimate = NaturalSpectrum.estimate(photos: photos, size: stored.size)
        XCTAssertEqual(estimate.tiles, stored.tiles)
        for (a, b) in zip(estimate.rounded.magnitude, stored.magnitude) { XCTAssertEqual(a, b, accuracy: 1e-3 * max(a, 1e-3)) }
        // Luminance (channel 0) at frequency 1/64 versus 1/4 cycles per pixel along x.
        XCTAssertGreaterThan(stored.magnitude[1], 10 * stored.magnitude[stored.size / 4], "1/f-like fall-off")
    }

    func testABadSpectrumFileIsAnErrorNamingIt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-spectrum-\(UUID().uuidString).json")
        try Data("{\"size\": 8, \"tiles\": 1, \"note\": \"\", \"magnitude\": [1, 2]}".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try NaturalSpectrum.load(contentsOf: url.path)) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
    }
}

extension MACOTests {
    /// A MACO render raises its objective and accumulates a transparency map of the image's size.
    func testMACORenderRaisesTheObjectiveAndMapsItsAttribution() throws {
        let toy = ToyNetwork()
        let recipe = try Method.maco.recipe(layer: "conv", channel: 0, size: 16, steps: 40,
                                            spectrum: toySpectrum(size: 16), inputSize: 16)
        let result = try render(recipe, on: toy)
        let h = result.history
        XCTAssertGreaterThan(h.suffix(5).reduce(0, +), h.prefix(5).reduce(0, +))
        let attribution = try XCTUnwrap(result.attribution)
        XCTAssertEqual(attribution.shape, [1, 3, 16, 16])
        XCTAssertGreaterThan(attribution.scalars.max()!, 0)
        let map = Visualization.transparency(attribution)
        XCTAssertEqual(map.shape, [1, 1, 16, 16])
        XCTAssertEqual(map.scalars.max()!, 1)
        XCTAssertGreaterThanOrEqual(map.scalars.min()!, 0)
    }
}
