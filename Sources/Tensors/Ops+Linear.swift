// Matrix products on OpenBLAS: matmul of two variables or a variable and a constant, and the
// fully connected layer in PyTorch's weight layout.

extension Tensor {
    /// The matrix product self·other ([m, k]·[k, n] → [m, n]), optionally with transposed operands.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul: needs matrices, got \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(k == k2, "matmul: inner sizes differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")")
        let out = makeScalars(m * n) { c in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    // Large products: each thread computes a block of C's columns.
                    let blocks = min(engineThreadCount, max(1, n / 64))
                    parallelFor(blocks, costPerItem: m * k * n / blocks / 64) { r in
                        for block in r {
                            let j0 = n * block / blocks, j1 = n * (block + 1) / blocks
                            let bColumns = transposeOther ? b.baseAddress! + j0 * other.shape[1] : b.baseAddress! + j0
                            sgemm(transA: transposeSelf, transB: transposeOther, m: m, n: j1 - j0, k: k,
                                  a.baseAddress!, lda: shape[1], bColumns, ldb: other.shape[1], c + j0, ldc: n)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }
}

/// The matrix product a·b of [m, k] and [k, n]; dA = dC·bᵀ, dB = aᵀ·dC.
public func matmul(_ a: Variable, _ b: Variable) -> Variable {
    let av = a.value, bv = b.value
    let needA = a.needsGradient, needB = b.needsGradient  // not the variables: they would retain the tape
    return a.tape.record(av.matmul(bv), inputs: [a, b]) { g in
        [needA ? g.matmul(bv, transposeOther: true) : nil,
         needB ? av.matmul(g, transposeSelf: true) : nil]
    }
}

/// The matrix product a·b with a constant right side.
public func matmul(_ a: Variable, _ b: Tensor) -> Variable {
    a.tape.record(a.value.matmul(b), inputs: [a]) { g in [g.matmul(b, transposeOther: true)] }
}

/// A fully connected layer: x [N, in] · weightᵀ + bias, with weight [out, in] (PyTorch layout).
///
/// ```swift
/// let logits = linear(features, weight: fcWeight, bias: fcBias)  // [N, 1280] → [N, 1000]
/// ```
public func linear(_ x: Variable, weight: Tensor, bias: Tensor? = nil) -> Variable {
    precondition(x.shape.count == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                 "linear: input \(x.shape) does not fit weight \(weight.shape)")
    var y = x.value.matmul(weight, transposeOther: true)
    if let bias {
        let out = weight.shape[0]
        precondition(bias.count == out, "linear: bias \(bias.shape) for \(out) outputs")
        for i in 0..<y.count { y.scalars[i] += bias.scalars[i % out] }
    }
    return x.tape.record(y, inputs: [x]) { g in [g.matmul(weight)] }
}
