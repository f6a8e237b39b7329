// Shared test support: a small real network built from engine ops and seeded inputs (the
// finite-difference gradient check is TestSupport's `checkGradient`).
import XCTest
import Models
import Tensors
@testable import FeatureVis

/// A small convolutional network with fixed seeded weights, so objective tests run in
/// milliseconds: conv(3→4, 3×3) + ReLU → avgPool(2) → conv(4→5, 3×3) → global pool + linear(5→3).
final class ToyNetwork: Network {
    let name = "toy"
    let inputSize: Int
    let layers = [("conv", 4), ("pool", 4), ("conv2", 5), ("fc", 3)].enumerated().map {
        LayerReference(name: $1.0, index: $0, channels: $1.1)
    }
    private let w1, b1, w2, b2, w3, b3: Tensor
    /// How many layers the last forward pass computed (to check truncation).
    private(set) var lastDepth = 0

    init(inputSize: Int = 16, seed: UInt64 = 11) {
        self.inputSize = inputSize
        var rng = SeededGenerator(seed: seed)
        w1 = Tensor(randomNormal: [4, 3, 3, 3], standardDeviation: 0.5, using: &rng)
        b1 = Tensor(randomNormal: [4], standardDeviation: 0.1, using: &rng)
        w2 = Tensor(randomNormal: [5, 4, 3, 3], standardDeviation: 0.5, using: &rng)
        b2 = Tensor(randomNormal: [5], standardDeviation: 0.1, using: &rng)
        w3 = Tensor(randomNormal: [3, 5], standardDeviation: 0.5, using: &rng)
        b3 = Tensor(randomNormal: [3], standardDeviation: 0.1, using: &rng)
    }

    func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        let deepest = layers.map(\.index).max() ?? -1
        var out: [LayerReference: Variable] = [:]
        var x = images
        lastDepth = 0
        let steps: [(Variable) -> Variable] = [
            { conv2d($0, weight: self.w1, bias: self.b1, padding: .symmetric(1), activation: .relu) },
            { avgPool2d($0, kernel: 2, stride: 2) },
            { conv2d($0, weight: self.w2, bias: self.b2, padding: .symmetric(1)) },
            { linear(globalAvgPool($0), weight: self.w3, bias: self.b3) },
        ]
        for (i, step) in steps.enumerated() where i <= deepest {
            x = step(x)
            lastDepth = i + 1
            if layers.contains(self.layers[i]) { out[self.layers[i]] = x }
        }
        return out
    }
}

/// A network with one 1×1 convolution of known weights, for hand-computed objective values.
final class LinearNetwork: Network {
    let name = "linear"
    let inputSize = 4
    let layers = [LayerReference(name: "mix", index: 0, channels: 2)]
    /// mix[k] = Σⱼ weight[k][j] · rgb[j] + bias[k]
    let weight: [[Float]] = [[1, 2, 3], [-1, 0, 1]]
    let bias: [Float] = [0.5, -0.25]

    func forward(_ images: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        guard !layers.isEmpty else { return [:] }
        let w = Tensor(shape: [2, 3, 1, 1], scalars: weight.flatMap { $0 })
        return [self.layers[0]: conv2d(images, weight: w, bias: Tensor(shape: [2], scalars: bias))]
    }
}

func seededNormal(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(randomNormal: shape, standardDeviation: std, using: &rng)
}

func seededUniform(_ shape: [Int], seed: UInt64, low: Float = 0, high: Float = 1) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(randomUniform: shape, low: low, high: high, using: &rng)
}

func assertClose(_ a: [Float], _ b: [Float], accuracy: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > accuracy {
        XCTFail("element \(i): \(x) vs \(y) \(message)", file: file, line: line)
        return
    }
}
