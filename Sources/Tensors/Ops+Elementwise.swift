// Elementwise functions of one variable and the quotient of two. Each pullback multiplies the
// incoming gradient by the local derivative, written from the input or — cheaper — the output.
import Foundation
internal import CKernels

extension Tensor {
    /// Elementwise combination of three equal-shape tensors (for pullbacks that need x, y and g).
    @inline(__always)  // so that `f` is inlined into the loop
    func zipped(with b: Tensor, _ c: Tensor, _ f: @Sendable (Float, Float, Float) -> Float) -> Tensor {
        precondition(shape == b.shape && shape == c.shape, "shape mismatch: \(shape), \(b.shape), \(c.shape)")
        let out = scalars.withUnsafeBufferPointer { x in
            b.scalars.withUnsafeBufferPointer { y in
                c.scalars.withUnsafeBufferPointer { z in
                    elementwiseScalars(count) { range, o in for i in range { o[i] = f(x[i], y[i], z[i]) } }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

extension Variable {
    /// An elementwise op: `value(x)` forward, and `derivative(x, y)` (input and output) backward.
    @inline(__always)
    func elementwise(_ value: @Sendable (Float) -> Float,
                     derivative: @escaping @Sendable (_ x: Float, _ y: Float) -> Float) -> Variable {
        let x = self.value
        let y = x.map(value)
        return tape.record(y, inputs: [self]) { g in [g.zipped(with: x, y) { g, x, y in g * derivative(x, y) }] }
    }

    /// The elementwise square.
    ///
    /// ```swift
    /// let energy = x.squared().sum()
    /// ```
    public func squared() -> Variable { elementwise({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
}

/// max(x, 0); the gradient passes where x > 0.
public func relu(_ x: Variable) -> Variable {
    x.elementwise({ max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
}

/// min(max(x, 0), 6); the gradient passes where 0 < x < 6.
public func relu6(_ x: Variable) -> Variable {
    x.elementwise({ min(max($0, 0), 6) }, derivative: { x, _ in x > 0 && x < 6 ? 1 : 0 })
}

/// 1 / (1 + e^−x), with derivative y(1 − y) from the output. The values are those of that
/// expression over `Foundation.exp`, bit for bit, computed by a vector kernel (`fv_sigmoid`).
public func sigmoid(_ x: Variable) -> Variable {
    let y = x.value.scalars.withUnsafeBufferPointer { xs in
        elementwiseScalars(xs.count) { range, out in
            fv_sigmoid(xs.baseAddress! + range.lowerBound, out + range.lowerBound, range.count)
        }
    }
    let value = Tensor(shape: x.shape, scalars: y)
    return x.tape.record(value, inputs: [x]) { g in
        // An explicit loop, not `zipped`, whose closure would be a call per scalar.
        let dx = g.scalars.withUnsafeBufferPointer { g in
            y.withUnsafeBufferPointer { y in elementwiseScalars(g.count) { r, o in for i in r { o[i] = g[i] * (y[i] * (1 - y[i])) } } }
        }
        return [Tensor(shape: value.shape, scalars: dx)]
    }
}

/// The hyperbolic tangent, with derivative 1 − y².
public func tanh(_ x: Variable) -> Variable {
    x.elementwise({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
}

/// e^x, its own derivative.
public func exp(_ x: Variable) -> Variable {
    x.elementwise({ Foundation.exp($0) }, derivative: { _, y in y })
}

/// The natural logarithm, with derivative 1/x.
public func log(_ x: Variable) -> Variable {
    x.elementwise({ Foundation.log($0) }, derivative: { x, _ in 1 / x })
}

/// |x|, with derivative sign(x) (0 at 0).
public func abs(_ x: Variable) -> Variable {
    x.elementwise({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
}

/// √x, with derivative 1 / (2√x).
public func sqrt(_ x: Variable) -> Variable {
    x.elementwise({ $0.squareRoot() }, derivative: { _, y in 0.5 / y })
}

/// Clamps to [min, max]; the gradient passes where min ≤ x ≤ max (a straight-through clamp at
/// the bounds themselves, so an image parameter sitting on a bound can still move back inside).
public func clamp(_ x: Variable, min lo: Float, max hi: Float) -> Variable {
    precondition(lo <= hi, "clamp: min \(lo) > max \(hi)")
    return x.elementwise({ Swift.min(Swift.max($0, lo), hi) }, derivative: { x, _ in x >= lo && x <= hi ? 1 : 0 })
}

extension Variable {
    /// Elementwise quotient of equal shapes: d/da = 1/b, d/db = −a/b².
    public static func / (a: Variable, b: Variable) -> Variable {
        let av = a.value, bv = b.value
        return a.tape.record(av.zipped(with: bv, /), inputs: [a, b]) { g in
            [g.zipped(with: bv, /), g.zipped(with: av, bv) { g, a, b in -g * a / (b * b) }]
        }
    }

    /// Division by a constant.
    public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }
}
