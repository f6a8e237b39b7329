import Foundation
import Tensors

// The differentiable pieces of MACO's image that the engine does not have: cosine and sine of
// the phase, and standardization (zero mean, unit deviation) per batch item.

/// cos x elementwise; the pullback multiplies by −sin x.
func cos(_ x: Variable) -> Variable {
    let v = x.value
    return x.tape.record(v.map { Foundation.cos($0) }, inputs: [x]) { g in [g.zipped(with: v) { g, x in -g * Foundation.sin(x) }] }
}

/// sin x elementwise; the pullback multiplies by cos x.
func sin(_ x: Variable) -> Variable {
    let v = x.value
    return x.tape.record(v.map { Foundation.sin($0) }, inputs: [x]) { g in [g.zipped(with: v) { g, x in g * Foundation.cos(x) }] }
}

/// Each batch item of `x` (`[N, …]`) shifted and scaled to mean 0 and standard deviation 1
/// (population deviation, plus `epsilon` so a constant item stays finite):
/// `y = (x − μ) / (σ + ε)`.
///
/// The pullback is the exact adjoint: with `z = x − μ` and `s = σ + ε`,
/// `∂L/∂x = (g − mean(g)) / s − z · mean(g·z) / (σ s²)`.
func standardized(_ x: Variable, epsilon: Float = 1e-4) -> Variable {
    let n = x.shape[0], count = x.value.count / max(n, 1)
    var y = x.value.scalars
    var deviations = [Double](repeating: 0, count: n)
    for b in 0..<n {
        let range = (b * count)..<((b + 1) * count)
        let mean = y[range].reduce(0.0) { $0 + Double($1) } / Double(count)
        let variance = y[range].reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count)
        let sigma = variance.squareRoot()
        deviations[b] = sigma
        for i in range { y[i] = Float((Double(y[i]) - mean) / (sigma + Double(epsilon))) }
    }
    let output = Tensor(shape: x.shape, scalars: y)
    return x.tape.record(output, inputs: [x]) { g in
        var dx = g.scalars
        for b in 0..<n {
            let range = (b * count)..<((b + 1) * count)
            let sigma = deviations[b], s = sigma + Double(epsilon)
            // z = y · s
            let meanG = g.scalars[range].reduce(0.0) { $0 + Double($1) } / Double(count)
            var meanGZ = 0.0
            for i in range { meanGZ += Double(g.scalars[i]) * Double(y[i]) * s }
            meanGZ /= Double(count)
            let k = sigma > 0 ? meanGZ / (sigma * s * s) : 0
            for i in range { dx[i] = Float((Double(g.scalars[i]) - meanG) / s - Double(y[i]) * s * k) }
        }
        return [Tensor(shape: g.shape, scalars: dx)]
    }
}
