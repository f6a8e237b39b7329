// Reductions over axes and broadcasting products and sums. Both rest on one index map: for each
// element of a full shape, the flat index of the element it reduces into (or broadcasts from).

/// For every flat index of `full`, the flat index into `small`, a shape of the same rank whose
/// dimensions are either equal to `full`'s or 1 (broadcast).
func broadcastIndices(full: [Int], small: [Int]) -> [Int32] {
    precondition(full.count == small.count, "broadcast: ranks \(full) vs \(small)")
    var strides = [Int](repeating: 0, count: full.count)
    var s = 1
    for d in stride(from: full.count - 1, through: 0, by: -1) {
        precondition(small[d] == full[d] || small[d] == 1, "broadcast: \(small) does not broadcast to \(full)")
        strides[d] = small[d] == 1 ? 0 : s
        s *= small[d]
    }
    let count = full.reduce(1, *)
    var result = [Int32](repeating: 0, count: count)
    guard count > 0 else { return result }
    // Rows of the last dimension over the cores: each row finds its base from its own index.
    let rank = full.count
    let inner = rank == 0 ? 1 : full[rank - 1]
    let innerStride = rank == 0 ? 0 : strides[rank - 1]
    result.withUnsafeMutableBufferPointer { r in
        parallelFor(count / inner, costPerItem: inner) { rows in
            for row in rows {
                var rest = row, base = 0
                for d in stride(from: rank - 2, through: 0, by: -1) {
                    base += rest % full[d] * strides[d]
                    rest /= full[d]
                }
                for j in 0..<inner { r[row * inner + j] = Int32(base + j * innerStride) }
            }
        }
    }
    return result
}

/// Normalized, sorted, unique axes (negative axes count from the end).
private func normalizedAxes(_ axes: [Int], rank: Int) -> [Int] {
    let result = Set(axes.map { $0 < 0 ? $0 + rank : $0 }).sorted()
    precondition(result.allSatisfy { $0 >= 0 && $0 < rank }, "axes \(axes) out of range for rank \(rank)")
    return result
}

/// Sum over `axes`; with `keepingDims` the reduced axes stay as size 1.
///
/// ```swift
/// let perChannel = sum(x, axes: [2, 3])  // [N, C, H, W] → [N, C]
/// ```
public func sum(_ x: Variable, axes: [Int], keepingDims: Bool = false) -> Variable {
    let shape = x.shape
    let axes = normalizedAxes(axes, rank: shape.count)
    var kept = shape
    for a in axes { kept[a] = 1 }
    let outShape = keepingDims ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let index = broadcastIndices(full: shape, small: kept)
    var out = [Float](repeating: 0, count: kept.reduce(1, *))
    x.value.scalars.withUnsafeBufferPointer { xv in
        for i in 0..<xv.count { out[Int(index[i])] += xv[i] }
    }
    return x.tape.record(Tensor(shape: outShape, scalars: out), inputs: [x]) { g in
        [Tensor(shape: shape, scalars: index.map { g.scalars[Int($0)] })]
    }
}

/// Mean over `axes`; with `keepingDims` the reduced axes stay as size 1.
public func mean(_ x: Variable, axes: [Int], keepingDims: Bool = false) -> Variable {
    let shape = x.shape
    let n = normalizedAxes(axes, rank: shape.count).reduce(1) { $0 * shape[$1] }
    return sum(x, axes: axes, keepingDims: keepingDims) * (1 / Float(max(n, 1)))
}

/// `y` padded with leading 1s to `x`'s rank, checked to broadcast.
private func broadcastShape(_ y: [Int], to x: [Int], _ op: String) -> [Int] {
    precondition(y.count <= x.count, "\(op): \(y) has more dimensions than \(x)")
    return [Int](repeating: 1, count: x.count - y.count) + y
}

/// x · y where `y`'s shape broadcasts to `x`'s (dimensions equal or 1, missing leading ones are 1).
///
/// ```swift
/// let scaled = broadcastMultiply(x, weights)  // x [N, C, H, W], weights [1, C, 1, 1]
/// ```
public func broadcastMultiply(_ x: Variable, _ y: Variable) -> Variable {
    let yShape = y.shape
    let index = broadcastIndices(full: x.shape, small: broadcastShape(yShape, to: x.shape, "broadcastMultiply"))
    let xv = x.value, yv = y.value
    let needY = y.needsGradient  // not the variable: it would retain the tape
    let out = withPointers(xv, yv, index) { xs, ys, ix in
        elementwiseScalars(xv.count) { r, o in for i in r { o[i] = xs[i] * ys[Int(ix[i])] } }
    }
    return x.tape.record(Tensor(shape: xv.shape, scalars: out), inputs: [x, y]) { g in
        withPointers(g, yv, index) { gs, ys, ix in
            let dx = elementwiseScalars(xv.count) { r, o in for i in r { o[i] = gs[i] * ys[Int(ix[i])] } }
            guard needY else { return [Tensor(shape: xv.shape, scalars: dx), nil] }
            var dy = [Float](repeating: 0, count: yv.count)
            xv.scalars.withUnsafeBufferPointer { xs in
                for i in 0..<xv.count { dy[Int(ix[i])] += gs[i] * xs[i] }
            }
            return [Tensor(shape: xv.shape, scalars: dx), Tensor(shape: yShape, scalars: dy)]
        }
    }
}

/// Calls `body` with the storage of two tensors and a broadcast index, valid during the call.
private func withPointers<R>(_ a: Tensor, _ b: Tensor, _ index: [Int32],
                             _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Int32>) -> R) -> R {
    a.scalars.withUnsafeBufferPointer { a in
        b.scalars.withUnsafeBufferPointer { b in
            index.withUnsafeBufferPointer { i in body(a.baseAddress!, b.baseAddress!, i.baseAddress!) }
        }
    }
}

/// x + y where `y`'s shape broadcasts to `x`'s.
public func broadcastAdd(_ x: Variable, _ y: Variable) -> Variable {
    let yShape = y.shape
    let index = broadcastIndices(full: x.shape, small: broadcastShape(yShape, to: x.shape, "broadcastAdd"))
    let xv = x.value, yv = y.value
    let out = withPointers(xv, yv, index) { xs, ys, ix in
        elementwiseScalars(xv.count) { r, o in for i in r { o[i] = xs[i] + ys[Int(ix[i])] } }
    }
    let needY = y.needsGradient
    return x.tape.record(Tensor(shape: xv.shape, scalars: out), inputs: [x, y]) { g in
        guard needY else { return [g, nil] }
        var dy = [Float](repeating: 0, count: yv.count)
        for i in 0..<xv.count { dy[Int(index[i])] += g.scalars[i] }
        return [g, Tensor(shape: yShape, scalars: dy)]
    }
}
