import Foundation
import Models
import Tensors
import XCTest
@testable import FeatureVis

/// Bad arguments to the visualizer and diverging optimizations: each is a typed error that says
/// what was wrong and what is valid, before any work (or at the step where it went wrong).
final class ValidationTests: XCTestCase {
    private let visualizer = FeatureVisualizer(model: ToyNetwork())

    /// Every method, with the same misspelt layer: the valid names and the closest one.
    func testUnknownLayerListsValidNamesAndTheClosestInEveryMethod() {
        let calls: [(String, () throws -> Visualization)] = [
            ("basic", { try self.visualizer.visualizeFeature(layer: "conv_2", channel: 0, steps: 1) }),
            ("multiscale", { try self.visualizer.visualizeFeatureMultiscale(layer: "conv_2", channel: 0, steps: 3) }),
            ("diverse", { try self.visualizer.visualizeFeatureDiverse(layer: "conv_2", channel: 0, steps: 1) }),
            ("summed", { try self.visualizer.visualizeFeatureSummedScales(layer: "conv_2", channel: 0, steps: 1) }),
        ]
        for (method, call) in calls {
            XCTAssertThrowsError(try call(), method) { error in
                XCTAssertEqual(error as? ModelError, .unknownLayer("conv_2", model: "toy", valid: ["conv", "pool", "conv2", "fc"]), method)
                XCTAssertEqual("\(error)", "unknown layer `conv_2` in toy — did you mean `conv2`? Valid layers: conv, pool, conv2, fc")
            }
        }
        XCTAssertThrowsError(try visualizer.metrics(of: Tensor(shape: [1, 3, 16, 16], repeating: 0.5), layer: "fc7", channel: 0)) { error in
            XCTAssertTrue("\(error)".contains("Valid layers: conv, pool, conv2, fc"), "\(error)")
        }
    }

    func testChannelOutOfRangeGivesTheValidRange() {
        for channel in [5, -1, 1000] {
            XCTAssertThrowsError(try visualizer.visualizeFeature(layer: "conv2", channel: channel, steps: 1)) { error in
                XCTAssertEqual(error as? ModelError, .channelOutOfRange(channel, layer: "conv2", channels: 5))
                XCTAssertEqual("\(error)", "channel \(channel) is out of range for layer `conv2`: valid channels are 0…4")
            }
        }
        XCTAssertThrowsError(try visualizer.visualizeFeatureDiverse(layer: "fc", channel: 3, steps: 1)) { error in
            XCTAssertTrue("\(error)".contains("valid channels are 0…2"), "\(error)")
        }
    }

    func testNegativeOrZeroSizesAndStepsGiveTheValidRange() {
        let cases: [(String, () throws -> Visualization, FeatureVisError)] = [
            ("size -16", { try self.visualizer.visualizeFeature(layer: "conv", channel: 0, size: -16, steps: 1) },
             .invalidArgument(name: "size", value: "-16", valid: "8…4096")),
            ("size 0", { try self.visualizer.visualizeFeature(layer: "conv", channel: 0, size: 0, steps: 1) },
             .invalidArgument(name: "size", value: "0", valid: "8…4096")),
            ("steps -5", { try self.visualizer.visualizeFeature(layer: "conv", channel: 0, steps: -5) },
             .invalidArgument(name: "steps", value: "-5", valid: "1…1000000")),
            ("steps 0", { try self.visualizer.visualizeFeatureMultiscale(layer: "conv", channel: 0, steps: 0) },
             .invalidArgument(name: "steps", value: "0", valid: "1…1000000")),
            ("fewer steps than octaves", { try self.visualizer.visualizeFeatureMultiscale(layer: "conv", channel: 0, octaves: 4, steps: 3) },
             .invalidArgument(name: "steps", value: "3", valid: "4…1000000")),
            ("samples 0", { try self.visualizer.visualizeFeatureDiverse(layer: "conv", channel: 0, samples: 0, steps: 1) },
             .invalidArgument(name: "samples", value: "0", valid: "1…64")),
            ("octaves -1", { try self.visualizer.visualizeFeatureSummedScales(layer: "conv", channel: 0, octaves: -1, steps: 1) },
             .invalidArgument(name: "octaves", value: "-1", valid: "1…8")),
            ("learning rate", { try self.visualizer.visualizeFeature(layer: "conv", channel: 0, steps: 1, learningRate: -0.1) },
             .invalidArgument(name: "learningRate", value: "-0.1", valid: "finite and > 0")),
        ]
        for (label, call, expected) in cases {
            XCTAssertThrowsError(try call(), label) { error in
                XCTAssertEqual(error as? FeatureVisError, expected, label)
            }
        }
        XCTAssertEqual("\(FeatureVisError.invalidArgument(name: "size", value: "-16", valid: "8…4096"))",
                       "invalid size -16: valid values are 8…4096")
        XCTAssertThrowsError(try render(Recipe(.channel("conv", 0), from: .pixel(size: 8), steps: -3), on: ToyNetwork())) { error in
            XCTAssertEqual(error as? FeatureVisError, .invalidArgument(name: "steps", value: "-3", valid: "1…1000000"))
        }
    }

    /// An objective that divides by zero stops the render at its first step, naming the objective.
    func testObjectiveDividingByZeroStopsAtItsStep() {
        let ratio = Objective(name: "conv mean ÷ 0", layers: ["conv"]) { inputs in
            let mean = inputs["conv"].mean()
            return mean / (mean * 0)
        }
        var seen = 0
        XCTAssertThrowsError(try render(Recipe(ratio, from: .pixel(size: 8), steps: 10), on: ToyNetwork(),
                                        progress: { _ in seen += 1 })) { error in
            XCTAssertEqual(error as? FeatureVisError, .nonFinite(what: "objective", step: 1, objective: "conv mean ÷ 0"))
            XCTAssertEqual("\(error)", "the objective became NaN or infinite at step 1 of objective conv mean ÷ 0; try a lower learning rate")
        }
        XCTAssertEqual(seen, 0, "no step after the bad one was reported")
    }

    /// An objective that is finite for four steps and then divides by zero: the error names the
    /// fifth step, and exactly the four steps before it ran.
    func testDivergenceLaterInTheRunNamesThatStep() {
        let calls = StepCounter(0)
        let late = Objective(name: "conv mean ÷ (5 − step)", layers: ["conv"]) { inputs in
            let step = calls.increment()
            return inputs["conv"].mean() / Float(5 - step)
        }
        var steps: [Int] = []
        XCTAssertThrowsError(try render(Recipe(late, from: .pixel(size: 8), steps: 20), on: ToyNetwork(),
                                        progress: { steps.append($0.step) })) { error in
            XCTAssertEqual(error as? FeatureVisError, .nonFinite(what: "objective", step: 5, objective: "conv mean ÷ (5 − step)"))
            XCTAssertTrue("\(error)".contains("at step 5 of objective conv mean ÷ (5 − step)"), "\(error)")
        }
        XCTAssertEqual(steps, [1, 2, 3, 4], "every step before the bad one ran, and none after")
    }

    /// A learning rate near Float's largest value: Adam's first step moves every parameter by
    /// about 3·10³⁸, so the second step overflows; the visualizer stops there and says so.
    func testHugeLearningRateStopsAtTheStepThatOverflowed() {
        var reported: [Int] = []
        XCTAssertThrowsError(try visualizer.visualizeFeature(layer: "conv2", channel: 1, size: 16, steps: 8, learningRate: 3e38,
                                                             measure: false, progress: { reported.append($0.step) })) { error in
            guard case let .nonFinite(what, step, objective)? = error as? FeatureVisError else { return XCTFail("\(error)") }
            XCTAssertEqual(step, 2)
            XCTAssertEqual(objective, "channel(conv2, 1)")
            XCTAssertTrue(["objective", "gradient"].contains(what), what)
            XCTAssertTrue("\(error)".contains("at step 2 of objective channel(conv2, 1); try a lower learning rate"), "\(error)")
        }
        XCTAssertEqual(reported, [1])
    }
}

/// A counter shared with an objective's closure.
final class StepCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count: Int
    init(_ count: Int) { self.count = count }
    /// Adds one and returns the new count.
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
}
