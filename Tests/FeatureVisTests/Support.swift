// Shared test support: a small real network built from engine ops, seeded inputs and a
// finite-difference gradient check for FeatureVis's own differentiable ops.
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

/// Checks the tape gradient of Σ f(x)·r (r a seeded random weighting) against central differences
/// at every element of every input.
func checkGradient(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Float = 2e-2,
                   file: StaticString = #filePath, line: UInt = #line,
                   _ f: ([Variable]) -> Variable) {
    let tape = Tape()
    let vars = inputs.map { tape.variable($0) }
    let y = f(vars)
    let r = seededNormal(y.shape, seed: 99)
    let loss = (y * tape.constant(r)).sum()
    let grads = tape.gradients(of: loss)
    func lossValue(_ xs: [Tensor]) -> Double {
        let t = Tape()
        let out = f(xs.map { t.variable($0) }).value
        return zip(out.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (k, x) in inputs.enumerated() {
        let analytic = grads[vars[k]]
        for i in 0..<x.count {
            var plus = inputs, minus = inputs
            plus[k].scalars[i] += step
            minus[k].scalars[i] -= step
            let numeric = Float((lossValue(plus) - lossValue(minus)) / Double(2 * step))
            let scale = max(1, abs(numeric))
            XCTAssertEqual(analytic.scalars[i], numeric, accuracy: tolerance * scale,
                           "input \(k) element \(i)", file: file, line: line)
        }
    }
}

func assertClose(_ a: [Float], _ b: [Float], accuracy: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > accuracy {
        XCTFail("element \(i): \(x) vs \(y) \(message)", file: file, line: line)
        return
    }
}
