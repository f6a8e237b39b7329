extension Tensor {
    /// Stacks tensors of equal shape `[1, …]` (or any equal shape `[n, …]`) along the batch axis.
    ///
    /// ```swift
    /// let batch = Tensor(stacking: [a, b])   // [1,3,H,W] + [1,3,H,W] → [2,3,H,W]
    /// ```
    public init(stacking parts: [Tensor]) {
        precondition(!parts.isEmpty, "stacking needs at least one tensor")
        let inner = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == inner },
                     "stacking needs equal shapes after the batch axis: \(parts.map(\.shape))")
        self.init(shape: [parts.reduce(0) { $0 + $1.shape[0] }] + inner,
                  scalars: parts.flatMap(\.scalars))
    }

    /// The batch split into its items, each with batch size 1: `[n, …]` → n × `[1, …]`.
    public func unstacked() -> [Tensor] {
        precondition(rank >= 1, "unstacked needs a batch axis")
        let n = shape[0], size = n == 0 ? 0 : count / n
        let inner = [1] + shape.dropFirst()
        return (0..<n).map { Tensor(shape: inner, scalars: Array(scalars[($0 * size)..<(($0 + 1) * size)])) }
    }
}
