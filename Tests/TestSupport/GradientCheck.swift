import Tensors
import XCTest

/// Checks the tape's input gradients of `f` against finite differences, the one gradient check of
/// the test targets.
///
/// For a seeded normal weighting g of the output, the gradient of Σ f(x)·g at every element of every
/// input must equal the central difference with step `step`, within
/// `tolerance`·max(1, max|central difference|) over that input. Where an element sits within one
/// step of a kink (ReLU, clamp, max), the central difference straddles it; there the forward or
/// backward difference, one of which is clean, must match instead.
///
/// ```swift
/// checkGradient([x], step: 1e-3) { sin($0[0]) }
/// ```
public func checkGradient(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Double = 2e-2,
                          file: StaticString = #filePath, line: UInt = #line,
                          _ f: ([Variable]) -> Variable) {
    let tape = Tape()
    let variables = inputs.map { tape.variable($0) }
    let y = f(variables)
    var rng = SeededGenerator(seed: 977)
    let weighting = Tensor(randomNormal: y.shape, using: &rng)
    let grads = tape.gradients(of: y, seed: weighting)

    func loss(_ xs: [Tensor]) -> Double {
        let t = Tape()
        let out = f(xs.map { t.constant($0) }).value
        return zip(out.scalars, weighting.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    let base = loss(inputs)
    for i in inputs.indices {
        let analytic = grads[variables[i]]
        var central = [Double](), forward = [Double](), backward = [Double]()
        for j in 0..<inputs[i].count {
            var xs = inputs
            xs[i].scalars[j] += step
            let up = loss(xs)
            xs[i].scalars[j] = inputs[i].scalars[j] - step
            let down = loss(xs)
            central.append((up - down) / (2 * Double(step)))
            forward.append((up - base) / Double(step))
            backward.append((base - down) / Double(step))
        }
        let bound = tolerance * max(1, central.map { Swift.abs($0) }.max() ?? 0)
        var failures = 0
        for j in central.indices {
            let a = Double(analytic.scalars[j])
            guard ![central[j], forward[j], backward[j]].contains(where: { Swift.abs(a - $0) <= bound }) else { continue }
            failures += 1
            if failures <= 3 {
                XCTFail("input \(i)[\(j)]: gradient \(a), central difference \(central[j])", file: file, line: line)
            }
        }
    }
}
