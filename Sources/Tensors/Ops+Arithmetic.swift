// Elementwise arithmetic and reductions: the pattern every differentiable op follows —
// compute the value, then record it with a pullback that maps the output gradient to input gradients.

/// `count` scalars, each written by `body(range, out)` for the indices in `range`, split over the
/// cores by `parallelForScalars`.
@inline(__always)
func elementwiseScalars(_ count: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    makeScalars(count) { out in parallelForScalars(count) { body($0, out) } }
}

extension Tensor {
    /// Elementwise combination of two tensors of equal shape. `f` runs on several threads at once.
    @inline(__always)  // so that `f` is inlined into the loop
    public func zipped(with other: Tensor, _ f: @Sendable (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "shape mismatch: \(shape) vs \(other.shape)")
        let out = scalars.withUnsafeBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in
                elementwiseScalars(count) { range, o in for i in range { o[i] = f(x[i], y[i]) } }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Elementwise map. `f` runs on several threads at once.
    @inline(__always)  // so that `f` is inlined into the loop
    public func map(_ f: @Sendable (Float) -> Float) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { x in
            elementwiseScalars(count) { range, o in for i in range { o[i] = f(x[i]) } }
        }
        return Tensor(shape: shape, scalars: out)
    }

    // The hot element-wise ops as explicit loops: `map` and `zipped` call their closure once per
    // scalar (it reaches the loop through the thread pool, where the compiler cannot inline it),
    // these loops the compiler vectorizes. Same arithmetic, same bits.

    /// self · s.
    func scaled(by s: Float) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { x in elementwiseScalars(count) { r, o in for i in r { o[i] = x[i] * s } } }
        return Tensor(shape: shape, scalars: out)
    }

    /// self + s.
    func shifted(by s: Float) -> Tensor {
        let out = scalars.withUnsafeBufferPointer { x in elementwiseScalars(count) { r, o in for i in r { o[i] = x[i] + s } } }
        return Tensor(shape: shape, scalars: out)
    }

    /// self + other, of equal shape.
    func adding(_ other: Tensor) -> Tensor {
        precondition(shape == other.shape, "shape mismatch: \(shape) vs \(other.shape)")
        let out = scalars.withUnsafeBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in elementwiseScalars(count) { r, o in for i in r { o[i] = x[i] + y[i] } } }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// |self|.
    public func magnitudes() -> Tensor {
        let out = scalars.withUnsafeBufferPointer { x in elementwiseScalars(count) { r, o in for i in r { o[i] = Swift.abs(x[i]) } } }
        return Tensor(shape: shape, scalars: out)
    }

    /// self += |other|, of equal shape (a render's attribution map, summed step by step).
    public mutating func addMagnitudes(of other: Tensor) {
        precondition(shape == other.shape, "addMagnitudes: \(shape) vs \(other.shape)")
        let count = self.count
        scalars.withUnsafeMutableBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                parallelForScalars(count) { r in for i in r { a[i] += Swift.abs(b[i]) } }
            }
        }
    }

    /// Whether no scalar is infinite or NaN (checked over the cores).
    public var isFinite: Bool {
        // One verdict per 4096 scalars; each range starts on its own block.
        var finite = [Bool](repeating: true, count: (count + 4095) / 4096)
        scalars.withUnsafeBufferPointer { x in
            finite.withUnsafeMutableBufferPointer { finite in
                parallelForScalars(count) { r in finite[r.lowerBound / 4096] = x[r].allSatisfy(\.isFinite) }
            }
        }
        return !finite.contains(false)
    }

    public func sum() -> Float { scalars.reduce(0, +) }
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }
}

extension Variable {
    public static func + (a: Variable, b: Variable) -> Variable {
        a.tape.record(a.value.adding(b.value), inputs: [a, b]) { g in [g, g] }
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
        a.tape.record(a.value.scaled(by: s), inputs: [a]) { g in [g.scaled(by: s)] }
    }

    public static func * (s: Float, a: Variable) -> Variable { a * s }

    public static func + (a: Variable, s: Float) -> Variable {
        a.tape.record(a.value.shifted(by: s), inputs: [a]) { g in [g] }
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
