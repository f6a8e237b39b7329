/// Per-pixel linear mixing of the channels of `[N, C, H, W]`: `out[:, i] = Σⱼ matrix[i][j] · x[:, j]`.
///
/// This is `rgb = t · Mᵀ` per pixel, the colour decorrelation of Lucid's image parameterization
/// (and its inverse, to start from a photo). The gradient applies `Mᵀ` the same way.
///
/// ```swift
/// let rgb = mixChannels(t, ColourDecorrelation.matrix)
/// ```
package func mixChannels(_ x: Variable, _ matrix: [[Float]]) -> Variable {
    let transposed = (0..<matrix[0].count).map { j in matrix.map { $0[j] } }
    return x.tape.record(mixChannels(x.value, matrix), inputs: [x]) { g in [mixChannels(g, transposed)] }
}

/// The forward kernel of ``mixChannels(_:_:)-(Variable,_)`` on a plain tensor.
package func mixChannels(_ x: Tensor, _ matrix: [[Float]]) -> Tensor {
    precondition(x.rank == 4, "mixChannels expects [N, C, H, W], got \(x.shape)")
    let n = x.shape[0], cIn = x.shape[1], plane = x.shape[2] * x.shape[3]
    let cOut = matrix.count
    precondition(matrix.allSatisfy { $0.count == cIn }, "matrix rows must have \(cIn) entries")
    var out = [Float](repeating: 0, count: n * cOut * plane)
    x.scalars.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            // Output planes are independent: split them over the cores.
            parallelFor(n * cOut, costPerItem: cIn * plane) { range in
                for o in range {
                    let b = o / cOut, i = o % cOut
                    let d = dst.baseAddress! + o * plane
                    for j in 0..<cIn {
                        let m = matrix[i][j]
                        if m == 0 { continue }
                        let s = src.baseAddress! + (b * cIn + j) * plane
                        for p in 0..<plane { d[p] += m * s[p] }
                    }
                }
            }
        }
    }
    return Tensor(shape: [n, cOut, x.shape[2], x.shape[3]], scalars: out)
}
