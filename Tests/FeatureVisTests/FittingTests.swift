import XCTest
import Models
import Tensors
@testable import FeatureVis

/// Lucid's parameterization test: each parameterization can be optimized to reproduce a photo.
final class FittingTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A 32×32 crop of Chelsea the cat around her eye and whiskers (real texture, not flat).
    static func chelseaCrop() throws -> Tensor {
        let photo = try PNG.read(repo.appendingPathComponent("data/photos/chelsea.png").path)
        return crop(Tape().constant(photo), top: 100, left: 180, height: 32, width: 32).value
    }

    private func fit(_ start: ImageParameterization, to target: Tensor, steps: Int) throws -> Float {
        let t = target
        let objective = Objective(name: "−mse(photo)", layers: [Objective.image]) { inputs in
            let d = inputs[Objective.image] - inputs.image.tape.constant(t)
            return (d * d).mean() * -1
        }
        let result = try render(Recipe(objective, from: start, transforms: [], steps: steps), on: ToyNetwork())
        return zip(result.image.scalars, target.scalars).map { abs($0 - $1) }.reduce(0, +) / Float(target.count)
    }

    func testPixelParameterizationFitsAPhotoCrop() throws {
        let target = try Self.chelseaCrop()
        XCTAssertGreaterThan(target.scalars.max()! - target.scalars.min()!, 0.3, "the crop has contrast")
        let mae = try fit(.pixel(size: 32, seed: 1), to: target, steps: 300)
        XCTAssertLessThan(mae, 0.02)
    }

    func testFourierParameterizationFitsAPhotoCrop() throws {
        let target = try Self.chelseaCrop()
        let mae = try fit(.fourier(size: 32, seed: 1), to: target, steps: 1000)
        XCTAssertLessThan(mae, 0.02)
    }

    func testStartingFromAPhotoReproducesIt() throws {
        let target = try Self.chelseaCrop()
        for kind in [ImageParameterization.fourier(size: 8), .pixel(size: 8)] {
            let image = kind.fitted(to: target).image()
            let mae = zip(image.scalars, target.scalars).map { abs($0 - $1) }.reduce(0, +) / Float(target.count)
            XCTAssertLessThan(mae, 1e-3, kind.name)
        }
    }
}
