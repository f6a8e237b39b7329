import Foundation
import Tensors

/// Adam (Kingma & Ba) for gradient *ascent* on image parameters, with PyTorch's update rule:
/// `p += lr · m̂ / (√v̂ + ε)`, with bias-corrected moments `m̂`, `v̂`.
///
/// ```swift
/// var adam = Adam(learningRate: 0.05)
/// adam.ascend(&param.parameters, along: gradients)
/// ```
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Updates taken so far.
    public private(set) var step = 0
    private var m: [[Float]] = [], v: [[Float]] = []

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// One update of every tensor in `parameters` in the direction of its gradient.
    public mutating func ascend(_ parameters: inout [Tensor], along gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "\(parameters.count) parameters, \(gradients.count) gradients")
        if m.isEmpty {
            m = parameters.map { [Float](repeating: 0, count: $0.count) }
            v = m
        }
        step += 1
        let c1 = 1 - Foundation.pow(beta1, Float(step)), c2 = 1 - Foundation.pow(beta2, Float(step))
        let (b1, b2, lr, eps) = (beta1, beta2, learningRate, epsilon)
        for k in parameters.indices {
            precondition(parameters[k].shape == gradients[k].shape, "parameter \(parameters[k].shape) vs gradient \(gradients[k].shape)")
            gradients[k].scalars.withUnsafeBufferPointer { g in
                m[k].withUnsafeMutableBufferPointer { m in
                    v[k].withUnsafeMutableBufferPointer { v in
                        parameters[k].scalars.withUnsafeMutableBufferPointer { p in
                            // Over the cores (a square root and three divisions a scalar: worth it
                            // from a few thousand); each update is the same either way.
                            parallelForScalars(p.count, costPerScalar: 8) { range in
                                let i = range.lowerBound
                                adamStep(parameters: p.baseAddress! + i, m: m.baseAddress! + i, v: v.baseAddress! + i,
                                         gradient: g.baseAddress! + i, count: range.count, beta1: b1, beta2: b2,
                                         learningRate: lr, epsilon: eps, correction1: c1, correction2: c2)
                            }
                        }
                    }
                }
            }
        }
    }
}
