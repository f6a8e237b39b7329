// Elementwise arithmetic and reductions: the pattern every differentiable op follows —
// compute the value, then record it with a pullback that maps the output gradient to input gradients.

extension Tensor {
    /// Elementwise combination of two tensors of equal shape.
    public func zipped(with other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shape mismatch: \(shape) vs \(other.shape)")
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count { out[i] = f(scalars[i], other.scalars[i]) }
        return Tensor(shape: shape, scalars: out)
    }

    /// Elementwise map.
    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(f))
    }

    public func sum() -> Float { scalars.reduce(0, +) }
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }
}

extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable {
        a.tape.record(a.value.zipped(with: b.value, +), inputs: [a, b]) { g in [g, g] }
    }

    public static func - (a: Variable, b: Variable) -> Variable {
        a.tape.record(a.value.zipped(with: b.value, -), inputs: [a, b]) { g in [g, g.map { -$0 }] }
    }

    public static func * (a: Variable, b: Variable) -> Variable {
        let av = a.value, bv = b.value
        return a.tape.record(av.zipped(with: bv, *), inputs: [a, b]) { g in
            [g.zipped(with: bv, *), g.zipped(with: av, *)]
        }
    }

    public static func * (a: Variable, s: Float) -> Variable {
        a.tape.record(a.value.map { $0 * s }, inputs: [a]) { g in [g.map { $0 * s }] }
    }

    public static func * (s: Float, a: Variable) -> Variable { a * s }

    public static func + (a: Variable, s: Float) -> Variable {
        a.tape.record(a.value.map { $0 + s }, inputs: [a]) { g in [g] }
    }

    public static prefix func - (a: Variable) -> Variable { a * -1 }

    /// Sum of all elements, as a rank-0 result.
    public func sum() -> Variable {
        let shape = self.shape
        return tape.record(Tensor(scalar: value.sum()), inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalar)]
        }
    }

    /// Mean of all elements, as a rank-0 result.
    public func mean() -> Variable {
        let n = Float(max(value.count, 1))
        return sum() * (1 / n)
    }

    /// The same values with another shape.
    public func reshaped(_ newShape: [Int]) -> Variable {
        let old = shape
        return tape.record(value.reshaped(newShape), inputs: [self]) { g in [g.reshaped(old)] }
    }
}
