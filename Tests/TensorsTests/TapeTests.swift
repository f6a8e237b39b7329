import XCTest
@testable import Tensors

final class TapeTests: XCTestCase {
    func testProductRuleAndAccumulation() {
        let tape = Tape()
        let x = tape.variable(Tensor(shape: [3], scalars: [1, 2, 3]))
        let y = (x * x + x * 2).sum()   // d/dx = 2x + 2
        XCTAssertEqual(y.value.scalar, 1 + 4 + 9 + 2 + 4 + 6)
        XCTAssertEqual(tape.gradient(of: y, withRespectTo: x).scalars, [4, 6, 8])
    }

    func testConstantsGetNoPullback() {
        let tape = Tape()
        let c = tape.constant(Tensor(shape: [2], scalars: [1, 2]))
        let y = (c * c).sum()
        XCTAssertFalse(y.needsGradient)
        XCTAssertEqual(tape.gradient(of: y, withRespectTo: c).scalars, [0, 0])
    }
}

final class TensorBatchTests: XCTestCase {
    func testStackingAndUnstackingRoundTrip() {
        let a = Tensor(shape: [1, 2], scalars: [1, 2]), b = Tensor(shape: [1, 2], scalars: [3, 4])
        let batch = Tensor(stacking: [a, b])
        XCTAssertEqual(batch.shape, [2, 2])
        XCTAssertEqual(batch.scalars, [1, 2, 3, 4])
        XCTAssertEqual(batch.unstacked(), [a, b])
    }
}
