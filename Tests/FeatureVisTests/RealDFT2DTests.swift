import XCTest
import Tensors
@testable import FeatureVis

final class RealDFT2DTests: XCTestCase {
    // numpy: re = arange(12).reshape(3, 4)/10 − 0.5, im = cos(arange(12)).reshape(3, 4)
    let re: [Float] = (0..<12).map { Float($0) / 10 - 0.5 }
    let im: [Float] = (0..<12).map { Float(Foundation.cos(Double($0))) }

    func testInverseMatchesNumPyIrfft2OrthoEvenWidth() {
        // numpy.fft.irfft2(re + 1j·im, s=(3, 6), norm='ortho')
        let expected: [Float] = [0.212132, -0.126805, -0.084868, -0.070711, 0.084868, -0.438881,
                                 -2.120099, 0.508888, 0.018624, 0.009945, 1.105162, 0.251299,
                                 0.423043, -0.816985, -1.105162, -0.009945, -0.018624, 0.056798]
        let x = RealDFT2D(height: 3, width: 6).inverse(real: Tensor(shape: [1, 3, 4], scalars: re),
                                                       imaginary: Tensor(shape: [1, 3, 4], scalars: im))
        XCTAssertEqual(x.shape, [1, 3, 6])
        assertClose(x.scalars, expected, accuracy: 2e-5)
    }

    func testInverseMatchesNumPyIrfft2OrthoOddWidth() {
        // numpy.fft.irfft2(re + 1j·im, s=(3, 7), norm='ortho')
        let expected: [Float] = [0.327327, -0.131377, -0.117993, -0.027699, -0.056503, 0.077669, -0.529681,
                                 -2.235399, 0.722895, -0.324639, 0.494906, -0.211049, 1.589843, -0.280862,
                                 0.402369, -0.381526, -1.517036, 0.021468, -0.305325, 0.251832, -0.060507]
        let x = RealDFT2D(height: 3, width: 7).inverse(real: Tensor(shape: [1, 3, 4], scalars: re),
                                                       imaginary: Tensor(shape: [1, 3, 4], scalars: im))
        assertClose(x.scalars, expected, accuracy: 2e-5)
    }

    func testForwardThenInverseIsIdentity() {
        for (h, w) in [(5, 6), (4, 7), (1, 1), (8, 8)] {
            let dft = RealDFT2D(height: h, width: w)
            let x = seededNormal([2, h, w], seed: UInt64(h * 10 + w))
            let (re, im) = dft.forward(x)
            XCTAssertEqual(re.shape, [2, h, w / 2 + 1])
            assertClose(dft.inverse(real: re, imaginary: im).scalars, x.scalars, accuracy: 1e-5, "\(h)×\(w)")
        }
    }

    func testForwardIsParsevalOrthonormal() {
        // Ortho rfft2: Σx² = Σ over the full spectrum |X|², where the half spectrum counts twice
        // except the self-conjugate columns.
        let (h, w) = (6, 8)
        let x = seededNormal([1, h, w], seed: 3)
        let (re, im) = RealDFT2D(height: h, width: w).forward(x)
        var energy: Float = 0
        for k in 0..<h {
            for l in 0...(w / 2) {
                let i = k * (w / 2 + 1) + l
                energy += (l == 0 || l == w / 2 ? 1 : 2) * (re.scalars[i] * re.scalars[i] + im.scalars[i] * im.scalars[i])
            }
        }
        XCTAssertEqual(energy, x.scalars.map { $0 * $0 }.reduce(0, +), accuracy: 1e-3)
    }

    func testInverseGradientByFiniteDifferences() {
        for (h, w) in [(3, 4), (3, 5)] {
            let dft = RealDFT2D(height: h, width: w)
            let shape = [2, h, w / 2 + 1]
            checkGradient([seededNormal(shape, seed: 1), seededNormal(shape, seed: 2)]) { v in
                inverseRealDFT2D(real: v[0], imaginary: v[1], dft)
            }
        }
    }
}

import Foundation
