// Feature accentuation: the penalty toward the photo's own activations, by value, by gradient and
// in a render that starts exactly at the photo.
import TestSupport
import XCTest
import Models
import Tensors
@testable import FeatureVis

final class AccentuationTests: XCTestCase {
    func testActivationDistanceIsRelativeSquaredDistanceToTheReference() throws {
        let tape = Tape()
        let a = tape.constant(Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4]))
        let inputs = ObjectiveInputs(image: a, input: a, activations: ["x": a])
        let value = Objective.activationDistance("x", batch: 0, reference: 1)(inputs).value.scalar
        XCTAssertEqual(value, (4 + 4) / 25, accuracy: 1e-6)  // ‖(1,2) − (3,4)‖² / ‖(3,4)‖²
        XCTAssertEqual(Objective.activationDistance("x", batch: 1, reference: 1)(inputs).value.scalar, 0)
    }

    func testActivationDistanceGradientByFiniteDifferences() {
        let toy = ToyNetwork()
        let x = seededUniform([2, 3, 8, 8], seed: 21)
        let objective = Objective.activationDistance("conv2", batch: 0, reference: 1)
        checkGradient([x], step: 1e-3, tolerance: 3e-2) { v in
            let acts = toy.forward(v[0], reading: [toy.layers[2]])
            return objective(ObjectiveInputs(image: v[0], input: v[0], activations: ["conv2": acts[toy.layers[2]]!]))
        }
    }

    /// The render starts at the photo (penalty 0: the first objective is the photo's channel
    /// activation), raises the channel, and a larger weight keeps the image closer to the photo.
    func testAccentuationStartsAtThePhotoAndAWeightKeepsItClose() throws {
        let toy = ToyNetwork()
        let photo = seededUniform([1, 3, 16, 16], seed: 22, low: 0.1, high: 0.9)
        var results: [(Float, RenderResult)] = []
        for weight: Float in [0, 50] {
            var recipe = try Method.accentuate.recipe(layer: "conv2", channel: 1, steps: 40, learningRate: 0.05,
                                                      photo: photo, accentuation: ("conv", weight), inputSize: 16)
            recipe.transforms = []  // so step 1 sees the photo itself
            XCTAssertEqual(recipe.reference?.shape, [1, 3, 16, 16])
            let start = recipe.parameterization.image()
            let photoActivation = try Measures.channelActivation(of: start, network: toy, layer: "conv2", channel: 1)[0]
            let result = try render(recipe, on: toy)
            XCTAssertEqual(result.history[0], photoActivation, accuracy: 1e-4, "weight \(weight)")
            XCTAssertEqual(result.image.shape, [1, 3, 16, 16])
            let final = try Measures.channelActivation(of: result.image, network: toy, layer: "conv2", channel: 1)[0]
            XCTAssertGreaterThan(final, photoActivation, "weight \(weight)")
            results.append((weight, result))
        }
        func distance(_ r: RenderResult) -> Float {
            zip(r.image.scalars, photo.scalars).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        XCTAssertLessThan(distance(results[1].1), distance(results[0].1))
    }

    func testAccentuateWithoutAPhotoIsAnError() {
        XCTAssertThrowsError(try Method.accentuate.recipe(layer: "conv", channel: 0, accentuation: ("conv", 1), inputSize: 16)) { error in
            XCTAssertTrue("\(error)".contains("photo"), "\(error)")
        }
        XCTAssertThrowsError(try Method.maco.recipe(layer: "conv", channel: 0, inputSize: 16)) { error in
            XCTAssertTrue("\(error)".contains("spectrum"), "\(error)")
        }
    }
}
