import Tensors
import XCTest
@testable import Models

final class ClassificationTests: XCTestCase {
    func testSoftmaxIsStableAndNormalized() {
        let p = softmax([1000, 1001, 999])
        XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-6)
        XCTAssertFalse(p.contains { $0.isNaN })
        XCTAssertEqual(p[1] / p[0], Float(M_E), accuracy: 1e-4)
        XCTAssertEqual(softmax([]), [])
    }

    func testTopPredictionsAreSortedAndNamed() {
        var logits = [Float](repeating: 0, count: 1000)
        logits[282] = 5
        logits[285] = 4
        logits[7] = 4  // a tie: the lower index first
        let top = topPredictions(logits: logits, k: 3)
        XCTAssertEqual(top.map(\.classIndex), [282, 7, 285])
        XCTAssertEqual(top.map(\.name), [imageNetClassNames[282], imageNetClassNames[7], imageNetClassNames[285]])
        XCTAssertTrue(top[0].probability > top[1].probability)
        XCTAssertEqual(topPredictions(logits: [0, 1], k: 5).map(\.name), ["class 1", "class 0"])
    }

    func testPrepareImageKeeps224AndCentreCropsOthers() throws {
        let net = try TinyNet.load(from: Fixtures.tinyZip)  // inputSize 16
        var rng = SeededGenerator(seed: 9)
        let square = Tensor(randomUniform: [1, 3, 16, 16], using: &rng)
        XCTAssertEqual(net.prepareImage(square), square)
        // A 16×32 image needs no resizing: the centre crop is columns 8..<24.
        let wide = Tensor(randomUniform: [1, 3, 16, 32], using: &rng)
        let prepared = net.prepareImage(wide)
        XCTAssertEqual(prepared.shape, [1, 3, 16, 16])
        for c in 0..<3 {
            for y in 0..<16 {
                for x in 0..<16 { XCTAssertEqual(prepared[0, c, y, x], wide[0, c, y, x + 8]) }
            }
        }
        // A tall 40×30 image: resized to 21×16 (torchvision truncates the long side), then cropped.
        XCTAssertEqual(net.prepareImage(Tensor(randomUniform: [1, 3, 40, 30], using: &rng)).shape, [1, 3, 16, 16])
    }

    func testClassifyReturnsKPredictionsPerImage() throws {
        let net = try TinyNet.load(from: Fixtures.tinyZip)
        var rng = SeededGenerator(seed: 10)
        let results = try net.classify(Tensor(randomUniform: [2, 3, 16, 16], using: &rng), top: 3)
        XCTAssertEqual(results.count, 2)
        for predictions in results {
            XCTAssertEqual(predictions.count, 3)
            XCTAssertEqual(predictions.map(\.probability), predictions.map(\.probability).sorted(by: >))
        }
        let logits = try net.logits(Tensor(randomUniform: [1, 3, 16, 16], using: &rng))
        XCTAssertEqual(logits.shape, [1, 10])
    }
}
