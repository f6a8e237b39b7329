// Ops that move elements without arithmetic: concatenation, slicing, padding, cropping and the
// 2-D transpose. Each pullback is the adjoint copy.

/// Sizes before, along and after `axis`.
private func split(_ shape: [Int], axis: Int) -> (outer: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
}

/// Joins variables along `axis`; all other dimensions must match.
///
/// ```swift
/// let both = concat([a, b], axis: 0)  // two batches into one
/// ```
public func concat(_ xs: [Variable], axis: Int) -> Variable {
    precondition(!xs.isEmpty, "concat: no inputs")
    let rank = xs[0].shape.count
    let axis = axis < 0 ? axis + rank : axis
    precondition(axis >= 0 && axis < rank, "concat: axis \(axis) for rank \(rank)")
    let shapes = xs.map(\.shape)
    for s in shapes {
        precondition(s.count == rank && s.indices.allSatisfy { $0 == axis || s[$0] == shapes[0][$0] },
                     "concat: shapes \(shapes) differ off axis \(axis)")
    }
    var outShape = shapes[0]
    outShape[axis] = shapes.reduce(0) { $0 + $1[axis] }
    let (outer, inner) = split(outShape, axis: axis)
    let rowOut = outShape[axis] * inner
    var out = [Float](repeating: 0, count: outer * rowOut)
    var offset = 0
    for x in xs {
        let row = x.shape[axis] * inner
        let v = x.value.scalars
        for o in 0..<outer { out[(o * rowOut + offset)..<(o * rowOut + offset + row)] = v[(o * row)..<(o * row + row)] }
        offset += row
    }
    return xs[0].tape.record(Tensor(shape: outShape, scalars: out), inputs: xs) { g in
        var offset = 0
        return shapes.map { s in
            let row = s[axis] * inner
            var piece = [Float](repeating: 0, count: outer * row)
            for o in 0..<outer { piece[(o * row)..<(o * row + row)] = g.scalars[(o * rowOut + offset)..<(o * rowOut + offset + row)] }
            offset += row
            return Tensor(shape: s, scalars: piece)
        }
    }
}

/// The elements at `range` along `axis` (one channel, one image, a band of rows).
///
/// ```swift
/// let channel7 = slice(activations, axis: 1, range: 7..<8)
/// ```
public func slice(_ x: Variable, axis: Int, range: Range<Int>) -> Variable {
    let shape = x.shape
    let axis = axis < 0 ? axis + shape.count : axis
    precondition(axis >= 0 && axis < shape.count, "slice: axis \(axis) for shape \(shape)")
    precondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                 "slice: range \(range) out of 0..<\(shape[axis]) on axis \(axis) of \(shape)")
    let (outer, inner) = split(shape, axis: axis)
    let rowIn = shape[axis] * inner, row = range.count * inner, start = range.lowerBound * inner
    var outShape = shape
    outShape[axis] = range.count
    var out = [Float](repeating: 0, count: outer * row)
    let v = x.value.scalars
    for o in 0..<outer { out[(o * row)..<(o * row + row)] = v[(o * rowIn + start)..<(o * rowIn + start + row)] }
    return x.tape.record(Tensor(shape: outShape, scalars: out), inputs: [x]) { g in
        var dx = [Float](repeating: 0, count: outer * rowIn)
        for o in 0..<outer { dx[(o * rowIn + start)..<(o * rowIn + start + row)] = g.scalars[(o * row)..<(o * row + row)] }
        return [Tensor(shape: shape, scalars: dx)]
    }
}

/// Copies a window of the last two dimensions: out[.., y, x] = in[.., y + dy, x + dx] where inside
/// `in`, else `fill`. Pad and crop are both this copy with different offsets.
private func shiftWindow(_ t: Tensor, height: Int, width: Int, dy: Int, dx: Int, fill: Float) -> Tensor {
    let shape = t.shape
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let planes = shape.dropLast(2).reduce(1, *)
    let out = makeScalars(planes * height * width) { o in
        t.scalars.withUnsafeBufferPointer { src in
            // Rows of all planes over the cores.
            parallelFor(planes * height, costPerItem: width) { rows in
                for item in rows {
                    let (p, y) = item.quotientAndRemainder(dividingBy: height)
                    let sy = y + dy
                    let row = o + (p * height + y) * width
                    guard sy >= 0 && sy < h else { row.update(repeating: fill, count: width); continue }
                    // Columns x0 ..< x1 read the source row; the rest take the fill.
                    let x0 = min(max(-dx, 0), width), x1 = max(min(w - dx, width), x0)
                    row.update(repeating: fill, count: x0)
                    (row + x0).update(from: src.baseAddress! + (p * h + sy) * w + x0 + dx, count: x1 - x0)
                    (row + x1).update(repeating: fill, count: width - x1)
                }
            }
        }
    }
    return Tensor(shape: shape.dropLast(2) + [height, width], scalars: out)
}

/// Pads the last two dimensions (H, W) with `value`.
///
/// ```swift
/// let framed = pad(image, top: 16, left: 16, bottom: 16, right: 16, value: 0.5)
/// ```
public func pad(_ x: Variable, top: Int, left: Int, bottom: Int, right: Int, value: Float = 0) -> Variable {
    let shape = x.shape
    precondition(shape.count >= 2 && min(top, left, bottom, right) >= 0,
                 "pad: \(shape) by (\(top), \(left), \(bottom), \(right))")
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let y = shiftWindow(x.value, height: h + top + bottom, width: w + left + right, dy: -top, dx: -left, fill: value)
    return x.tape.record(y, inputs: [x]) { g in
        [shiftWindow(g, height: h, width: w, dy: top, dx: left, fill: 0)]
    }
}

/// The window of the last two dimensions starting at (top, left) with the given size.
public func crop(_ x: Variable, top: Int, left: Int, height: Int, width: Int) -> Variable {
    let shape = x.shape
    precondition(shape.count >= 2, "crop: rank of \(shape)")
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    precondition(top >= 0 && left >= 0 && height >= 0 && width >= 0 && top + height <= h && left + width <= w,
                 "crop: window (\(top), \(left)) \(height)×\(width) outside \(h)×\(w)")
    let y = shiftWindow(x.value, height: height, width: width, dy: top, dx: left, fill: 0)
    return x.tape.record(y, inputs: [x]) { g in
        [shiftWindow(g, height: h, width: w, dy: -top, dx: -left, fill: 0)]
    }
}

extension Tensor {
    /// The transpose of a matrix.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: needs a matrix, got \(shape)")
        let (m, n) = (shape[0], shape[1])
        let out = makeScalars(m * n) { o in
            scalars.withUnsafeBufferPointer { a in
                for i in 0..<m { for j in 0..<n { o[j * m + i] = a[i * n + j] } }
            }
        }
        return Tensor(shape: [n, m], scalars: out)
    }
}

extension Variable {
    /// The transpose of a matrix.
    public func transposed() -> Variable {
        tape.record(value.transposed(), inputs: [self]) { g in [g.transposed()] }
    }
}
