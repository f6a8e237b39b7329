// Adam's element-wise update as one vector kernel; `FeatureVis.Adam` keeps the optimizer's state.
internal import CKernels

/// One Adam ascent step on `count` scalars: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p + lr · (m / c₁) / (√(v / c₂) + ε)`, with `c₁`, `c₂` the bias corrections. Every scalar is
/// rounded exactly as the plain Swift loop of these formulas rounds it, on every kernel path.
public func adamStep(parameters p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                     v: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>, count: Int,
                     beta1: Float, beta2: Float, learningRate: Float, epsilon: Float,
                     correction1: Float, correction2: Float) {
    fv_adam(p, m, v, g, count, beta1, beta2, learningRate, epsilon, correction1, correction2)
}
