import TestSupport
import XCTest
import Models
import Tensors
@testable import FeatureVis

final class ObjectiveTests: XCTestCase {
    let linear = LinearNetwork()
    /// On an all-ones image, `mix` is (1+2+3+0.5, −1+0+1−0.25) = (6.5, −0.25) at every position.
    let ones = Tensor(shape: [1, 3, 4, 4], repeating: 1)

    private func value(_ o: Objective, _ image: Tensor? = nil, on network: Network? = nil) throws -> Float {
        try o.evaluate(on: network ?? linear, image: image ?? ones)
    }

    func testActivationObjectivesEqualHandComputedConstants() throws {
        XCTAssertEqual(try value(.channel("mix", 0)), 6.5, accuracy: 1e-5)
        XCTAssertEqual(try value(.channel("mix", 1)), -0.25, accuracy: 1e-6)
        XCTAssertEqual(try value(.neuron("mix", 1)), -0.25, accuracy: 1e-6)
        XCTAssertEqual(try value(.deepDream("mix")), (6.5 * 6.5 + 0.25 * 0.25) / 2, accuracy: 1e-4)
        // direction v = (1, 2): dot = 6.5 − 0.5 = 6; cos = 6 / ((|a| + 1e-4)(|v| + 1e-4)).
        let cosine: Float = 6 / ((6.5048058 + 1e-4) * (2.2360680 + 1e-4))
        XCTAssertEqual(try value(.direction("mix", [1, 2], cosinePower: 0)), 6, accuracy: 1e-5)
        XCTAssertEqual(try value(.direction("mix", [1, 2], cosinePower: 1)), 6 * cosine, accuracy: 1e-4)
        XCTAssertEqual(try value(.direction("mix", [1, 2], cosinePower: 2)), 6 * cosine * cosine, accuracy: 1e-4)
        // A direction pointing away is floored at cos 0.1: dot = −6.5 · 0.1.
        XCTAssertEqual(try value(.direction("mix", [-1, 0], cosinePower: 1)), -0.65, accuracy: 1e-4)
    }

    func testNeuronReadsTheCentrePosition() throws {
        // Image whose red channel is 1 only at (y 2, x 2) — the centre of a 4×4 map (H/2, W/2).
        var image = Tensor(zeros: [1, 3, 4, 4])
        image[0, 0, 2, 2] = 1
        XCTAssertEqual(try value(.neuron("mix", 0), image), 1.5, accuracy: 1e-6)
        XCTAssertEqual(try value(.neuron("mix", 0, x: 1, y: 2), image), 0.5, accuracy: 1e-6)
    }

    func testAlgebraByValue() throws {
        let a = Objective.channel("mix", 0), b = Objective.deepDream("mix"), c = Objective.channel("mix", 1)
        let (va, vb, vc): (Float, Float, Float) = (6.5, 21.15625, -0.25)
        XCTAssertEqual(try value(a + 2 * b - c), va + 2 * vb - vc, accuracy: 1e-4)   // 49.0625, not (a + 2b)·… 
        XCTAssertEqual(try value(2 * (a + b)), 2 * (va + vb), accuracy: 1e-4)
        XCTAssertEqual(try value(a - (b - c)), va - (vb - vc), accuracy: 1e-4)
        XCTAssertEqual(try value(a * 3 - b * 0.5), 3 * va - 0.5 * vb, accuracy: 1e-4)
        XCTAssertEqual(try value(-a + 2.5), -va + 2.5, accuracy: 1e-5)
        XCTAssertEqual((a + 2 * b - c).name, "channel(mix, 0) + 2·deepDream(mix) − channel(mix, 1)")
        XCTAssertEqual((a - (b - c)).name, "channel(mix, 0) − (deepDream(mix) − channel(mix, 1))")
        XCTAssertEqual((a + 2 * b - c).layers, ["mix"])
    }

    func testBatchSelection() throws {
        // Image 0 all ones, image 1 all zeros: mix = (6.5, −0.25) and (0.5, −0.25).
        let batch = Tensor(shape: [2, 3, 4, 4], scalars: Array(repeating: 1, count: 48) + Array(repeating: 0, count: 48))
        XCTAssertEqual(try value(.channel("mix", 0), batch), 3.5, accuracy: 1e-5)
        XCTAssertEqual(try value(.channel("mix", 0, batch: 0), batch), 6.5, accuracy: 1e-5)
        XCTAssertEqual(try value(.channel("mix", 0, batch: 1), batch), 0.5, accuracy: 1e-6)
        XCTAssertEqual(try value(.l1(batch: 1), batch), 0)
        // Diversity: every position of an image has the same vector, so each normalized Gram matrix
        // is aaᵀ/|a|² and the pair's similarity is cos²(a, b); −(2 · cos²)/2.
        let cos: Float = (6.5 * 0.5 + 0.25 * 0.25) / (6.5048058 * 0.5590170)
        XCTAssertEqual(try value(.diversity("mix"), batch), -cos * cos, accuracy: 1e-4)
        XCTAssertEqual(try value(.diversity("mix")), 0, "a batch of one has no pairs")
        // A classifier's [N, classes] output is one position per channel: −cos² of the two logit vectors.
        let toy = ToyNetwork(), images = seededUniform([2, 3, 16, 16], seed: 4)
        let fc = toy.forward(Tape().constant(images), reading: [toy.layers[3]])[toy.layers[3]]!.value.scalars
        let (u, v): ([Float], [Float]) = (Array(fc[0..<3]), Array(fc[3..<6]))
        let dot: Float = zip(u, v).map { $0 * $1 }.reduce(0, +)
        let lengths: Float = u.map { $0 * $0 }.reduce(0, +).squareRoot() * v.map { $0 * $0 }.reduce(0, +).squareRoot()
        let cosFC = dot / lengths
        XCTAssertEqual(try value(.diversity("fc"), images, on: toy), -cosFC * cosFC, accuracy: 1e-4)
    }

    func testPenaltiesEqualHandComputedConstants() throws {
        XCTAssertEqual(try value(.l1()), 48)
        XCTAssertEqual(try value(.l1(constant: 0.5)), 24)
        // Per channel [[0, 1], [1, 1]]: one vertical and one horizontal step of 1.
        let steps = Tensor(shape: [1, 3, 2, 2], scalars: Array([0, 1, 1, 1].repeated(3)))
        XCTAssertEqual(try value(.totalVariation(), steps), 6)
        XCTAssertEqual(try value(.blur(), ones), 0, accuracy: 1e-6)
        // An impulse in the centre of 3×3: blur gives 1/5 at the centre and corners, 1/7 at the edges.
        var impulse = Tensor(zeros: [1, 1, 3, 3])
        impulse[0, 0, 1, 1] = 1
        let expected: Float = 0.5 * (0.64 + 4 * (1.0 / 49) + 4 * 0.04)
        XCTAssertEqual(try value(.blur(), impulse), expected, accuracy: 1e-5)
    }

    func testClassLogitReadsTheLastLayer() throws {
        let toy = ToyNetwork()
        let image = seededUniform([2, 3, 16, 16], seed: 1)
        let tape = Tape()
        let logits = try toy.forward(tape.constant(image), reading: ["fc"])["fc"]!.value
        XCTAssertEqual(try value(.classLogit(2), image, on: toy), logits[0, 2] + logits[1, 2], accuracy: 1e-5)
        XCTAssertEqual(try value(.classLogit(1, batch: 1), image, on: toy), logits[1, 1], accuracy: 1e-5)
    }

    func testGradientsByFiniteDifferences() throws {
        let objectives: [Objective] = [
            .channel("mix", 0), .neuron("mix", 1), .deepDream("mix"), .direction("mix", [1, -2], cosinePower: 2),
            .diversity("mix"), .l1(constant: 0.5), .totalVariation(),
        ]
        let network = linear
        let image = seededUniform([2, 3, 3, 3], seed: 7, low: -1, high: 1)
        for o in objectives {
            let reader = try LayerReader(network: network, objective: o, batch: image.shape[0])
            checkGradient([image]) { v in o(reader.inputs(image: v[0], input: v[0])).reshaped([1]) }
        }
    }

    func testBlurGradientHoldsTheBlurredImageConstant() throws {
        // Lucid's stop_gradient: d/dx ½Σ(x − c)² = x − c with c = blur(x) fixed.
        let image = seededUniform([1, 3, 3, 3], seed: 2)
        let tape = Tape()
        let x = tape.variable(image)
        let reader = try LayerReader(network: linear, objective: .blur(), batch: 1)
        let g = tape.gradient(of: Objective.blur()(reader.inputs(image: x, input: x)), withRespectTo: x)
        let expected = image.zipped(with: boxBlur3x3(image), -)
        assertClose(g.scalars, expected.scalars, accuracy: 1e-6)
    }

    func testRenderReadsOnlyUpToTheDeepestLayer() throws {
        let toy = ToyNetwork()
        func once(_ objective: Objective) -> Recipe {
            Recipe(objective, from: .pixel(size: 16), transforms: [], steps: 1, resizeToNetworkInput: false)
        }
        _ = try render(once(.channel("conv", 0)), on: toy)
        XCTAssertEqual(toy.lastDepth, 1)
        _ = try render(once(.channel("conv", 0) + .channel("conv2", 1)), on: toy)
        XCTAssertEqual(toy.lastDepth, 3)
        _ = try render(once(.classLogit(0)), on: toy)
        XCTAssertEqual(toy.lastDepth, 4)
        let fresh = ToyNetwork()
        _ = try render(once(-.totalVariation()), on: fresh)
        XCTAssertEqual(fresh.lastDepth, 0, "image penalties need no forward pass")
    }

    func testEveryObjectiveRisesWithinThreeAdamSteps() throws {
        let toy = ToyNetwork()
        let objectives: [(Objective, Int)] = [
            (.channel("conv2", 1), 1), (.neuron("conv2", 0), 1), (.deepDream("conv2"), 1),
            (.direction("conv2", [1, -1, 0.5, 0, 2]), 1), (.classLogit(1), 1),
            (.channel("conv2", 1) + 0.1 * .diversity("conv2"), 3), (.diversity("conv"), 3),
            (-.l1(constant: 0.5), 1), (-.totalVariation(), 1), (-.blur(), 1),
        ]
        for (objective, batch) in objectives {
            for start in [ImageParameterization.fourier(size: 16, batch: batch, seed: 3),
                          ImageParameterization.pixel(size: 16, batch: batch, seed: 3)] {
                // Start from a textured image so that every penalty has something to reduce.
                let param = start.fitted(to: seededUniform([batch, 3, 16, 16], seed: 5, low: 0.1, high: 0.9))
                let result = try render(Recipe(objective, from: param, steps: 4), on: toy)
                let after = try objective.evaluate(on: toy, image: result.image)
                let before = try objective.evaluate(on: toy, image: param.image())
                XCTAssertGreaterThan(after, before, "\(objective.name) with \(start.name)")
            }
        }
    }

    func testUnknownLayerIsTheModelsError() {
        XCTAssertThrowsError(try render(Recipe(.channel("conv3", 0), from: .pixel(size: 8)), on: ToyNetwork())) { error in
            XCTAssertEqual(error as? ModelError, .unknownLayer("conv3", model: "toy", valid: ["conv", "pool", "conv2", "fc"]))
            XCTAssertTrue("\(error)".contains("did you mean `conv`"), "\(error)")
        }
    }

    func testNonFiniteObjectiveNamesTheStep() {
        let bad = Objective(name: "log of negative", layers: ["conv"]) { inputs in
            log(inputs["conv"].mean() * 0 + -1)
        }
        XCTAssertThrowsError(try render(Recipe(bad, from: .pixel(size: 8)), on: ToyNetwork())) { error in
            XCTAssertEqual(error as? FeatureVisError, .nonFinite(what: "objective", step: 1, objective: "log of negative"))
        }
    }
}

extension Array {
    func repeated(_ n: Int) -> [Element] { (0..<n).flatMap { _ in self } }
}
