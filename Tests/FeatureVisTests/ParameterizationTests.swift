import TestSupport
import XCTest
import Tensors
@testable import FeatureVis

final class ParameterizationTests: XCTestCase {
    func testColourMatrixEqualsLucentsNormalizedMatrix() {
        // numpy: M / max(linalg.norm(M, axis=0)) with M = color_correlation_svd_sqrt (float32)
        XCTAssertEqual(ColourDecorrelation.maxColumnNorm, 0.4619524, accuracy: 1e-6)
        let expected: [[Float]] = [[0.562828540802002, 0.19482527673244476, 0.043294504284858704],
                                   [0.5844758152961731, 0.0, -0.10823626071214676],
                                   [0.5844758152961731, -0.19482527673244476, 0.06494175642728806]]
        assertClose(ColourDecorrelation.matrix.flatMap { $0 }, expected.flatMap { $0 }, accuracy: 1e-6)
        // And the inverse really is one.
        for i in 0..<3 {
            for j in 0..<3 {
                let v = (0..<3).map { ColourDecorrelation.matrix[i][$0] * ColourDecorrelation.inverse[$0][j] }.reduce(0, +)
                XCTAssertEqual(v, i == j ? 1 : 0, accuracy: 1e-5)
            }
        }
    }

    func testDecorrelationIsAppliedAsTTimesMTransposedPerPixel() {
        // One pixel t = (1, 0, 0) must give rgb = first column of M.
        let tape = Tape()
        let t = tape.constant(Tensor(shape: [1, 3, 1, 1], scalars: [1, 0, 0]))
        let rgb = mixChannels(t, ColourDecorrelation.matrix).value.scalars
        assertClose(rgb, ColourDecorrelation.matrix.map { $0[0] }, accuracy: 1e-7)
    }

    func testFourierScaleEqualsLucidReference() {
        // numpy: 1 / maximum(rfft2d_freqs(h, w), 1 / max(w, h)) for the kept columns.
        let s46: [Float] = [6.0, 6.0, 3.0, 2.0, 4.0, 3.3282, 2.4, 1.78885, 2.0, 1.89737, 1.6641, 1.41421, 4.0, 3.3282, 2.4, 1.78885]
        let f46: [Float] = [0.0, 0.166667, 0.333333, 0.5, 0.25, 0.300463, 0.416667, 0.559017,
                            0.5, 0.527046, 0.600925, 0.707107, 0.25, 0.300463, 0.416667, 0.559017]
        let b46 = FourierBasis(height: 4, width: 6)
        XCTAssertEqual(b46.bins, 4)
        assertClose(b46.scale, s46, accuracy: 1e-4)
        assertClose(b46.frequencies, f46, accuracy: 1e-6)
        let s55: [Float] = [5.0, 5.0, 2.5, 5.0, 3.53553, 2.23607, 2.5, 2.23607, 1.76777, 2.5, 2.23607, 1.76777, 5.0, 3.53553, 2.23607]
        assertClose(FourierBasis(height: 5, width: 5).scale, s55, accuracy: 1e-4)
        // decay power 2 squares the scale.
        assertClose(FourierBasis(height: 4, width: 6, decayPower: 2).scale, s46.map { $0 * $0 }, accuracy: 1e-3)
    }

    func testFourierImageIsScaledIrfft2DividedByFour() {
        var p = ImageParameterization(height: 4, width: 6, basis: .fourier(decayPower: 1), decorrelated: false,
                                      range: .clamp, seed: 5)
        p.parameters = [seededNormal([1, 3, 4, 4], seed: 1, std: 0.05), seededNormal([1, 3, 4, 4], seed: 2, std: 0.05)]
        let basis = FourierBasis(height: 4, width: 6)
        let scaled = p.parameters.map { t in Tensor(shape: [3, 4, 4], scalars: t.scalars.enumerated().map { $1 * basis.scale[$0 % 16] }) }
        let expected = RealFFT2D(height: 4, width: 6).inverse(real: scaled[0], imaginary: scaled[1]).map { $0 / 4 + 0.5 }
        assertClose(p.image().scalars, expected.scalars.map { min(max($0, 0), 1) }, accuracy: 1e-6)
    }

    func testDefaultsAreLucids() {
        let p = ImageParameterization.fourier(size: 16, batch: 2, seed: 1)
        XCTAssertEqual(p.basis, .fourier(decayPower: 1))
        XCTAssertTrue(p.decorrelated)
        XCTAssertEqual(p.range, .sigmoid)
        XCTAssertEqual(p.parameters.map(\.shape), [[2, 3, 16, 9], [2, 3, 16, 9]])
        let all = p.parameters.flatMap(\.scalars)
        let sd = (all.map { $0 * $0 }.reduce(0, +) / Float(all.count)).squareRoot()
        XCTAssertEqual(sd, 0.01, accuracy: 0.001)
        XCTAssertEqual(p.image().shape, [2, 3, 16, 16])
        XCTAssertEqual(ImageParameterization.pixel(size: 8).parameters[0].shape, [1, 3, 8, 8])
    }

    func testFittedInvertsEveryStageExactly() {
        let target = seededUniform([2, 3, 6, 7], seed: 4, low: 0.02, high: 0.98)
        let kinds: [ImageParameterization] = [
            .fourier(size: 4, seed: 0),
            .pixel(size: 4),
            .pixel(size: 4, decorrelated: true, range: .clamp),
            ImageParameterization(height: 4, width: 4, basis: .fourier(decayPower: 1.5), decorrelated: false, range: .clamp, seed: 0),
        ]
        for kind in kinds {
            let fitted = kind.fitted(to: target)
            XCTAssertEqual(fitted.height, 6)
            XCTAssertEqual(fitted.width, 7)
            assertClose(fitted.image().scalars, target.scalars, accuracy: 2e-5, kind.name)
        }
    }

    func testMakeImageGradientByFiniteDifferences() {
        let p = ImageParameterization(height: 3, width: 4, basis: .fourier(decayPower: 1), decorrelated: true,
                                      range: .sigmoid, standardDeviation: 0.3, seed: 8)
        checkGradient(p.parameters) { p.makeImage(from: $0) }
        let q = ImageParameterization(height: 3, width: 3, basis: .pixel, decorrelated: true, range: .sigmoid,
                                      standardDeviation: 0.5, seed: 9)
        checkGradient(q.parameters) { q.makeImage(from: $0) }
    }

    func testProjectKeepsClampedPixelsWhereTheyHaveAGradient() {
        var p = ImageParameterization.pixel(size: 2, range: .clamp)
        p.parameters[0] = Tensor(shape: [1, 3, 2, 2], scalars: [-2, -0.2, 0.3, 4, 0, 0, 0, 0, 0, 0, 0, 0])
        p.project()
        assertClose(Array(p.parameters[0].scalars[0..<4]), [-0.5, -0.2, 0.3, 0.5])
    }
}
