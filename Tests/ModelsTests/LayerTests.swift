import Tensors
import XCTest
@testable import Models

final class LayerTests: XCTestCase {
    /// A folded conv equals the conv followed by BatchNorm computed the long way, with and without conv bias.
    func testBatchNormFoldingMatchesConvThenNormalize() throws {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor(randomNormal: [2, 4, 7, 7], using: &rng)
        let weight = Tensor(randomNormal: [6, 4, 3, 3], standardDeviation: 0.3, using: &rng)
        let convBias = Tensor(randomNormal: [6], using: &rng)
        let norm = BatchNorm(gamma: Tensor(randomUniform: [6], low: 0.5, high: 2, using: &rng),
                             beta: Tensor(randomNormal: [6], using: &rng),
                             mean: Tensor(randomNormal: [6], using: &rng),
                             variance: Tensor(randomUniform: [6], low: 0.1, high: 3, using: &rng), eps: 1e-3)
        for bias in [nil, convBias] {
            let tape = Tape()
            let input = tape.constant(x)
            let plain = conv2d(input, weight: weight, bias: bias, stride: 2, padding: .same).value
            var expected = plain
            let plane = 4 * 4
            XCTAssertEqual(plain.shape, [2, 6, 4, 4])
            for n in 0..<2 {
                for c in 0..<6 {
                    let scale = norm.gamma.scalars[c] / (norm.variance.scalars[c] + norm.eps).squareRoot()
                    for i in 0..<plane {
                        let j = (n * 6 + c) * plane + i
                        expected.scalars[j] = (plain.scalars[j] - norm.mean.scalars[c]) * scale + norm.beta.scalars[c]
                    }
                }
            }
            let (w, b) = norm.folded(into: weight, bias: bias)
            let folded = ConvLayer(weight: w, bias: b, stride: 2, padding: .same)(input).value
            for (a, e) in zip(folded.scalars, expected.scalars) { XCTAssertEqual(a, e, accuracy: 1e-4 * max(1, Swift.abs(e))) }
        }
    }

    func testLayersReadTheirKeysAndReportShapeMismatches() throws {
        let checkpoint = try Checkpoint(contentsOf: Fixtures.tinyZip)
        XCTAssertNoThrow(try LinearLayer(checkpoint, prefix: "classifier", in: 16, out: 10))
        XCTAssertThrowsError(try LinearLayer(checkpoint, prefix: "classifier", in: 10, out: 16)) { error in
            XCTAssertEqual(error as? CheckpointError, .shapeMismatch(file: Fixtures.tinyZip, key: "classifier.weight",
                                                                       expected: [16, 10], found: [10, 16]))
        }
        XCTAssertThrowsError(try ConvLayer(checkpoint, conv: "features.3", batchNorm: "features.5", in: 8, out: 16, kernel: 3)) { error in
            guard case .missingKey(_, "features.5.weight", _)? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
    }
}
