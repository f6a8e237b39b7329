internal import CKernels

/// A reverse-mode autodiff tape: ops append nodes in execution order, so walking the nodes
/// backwards from an output is a valid reverse topological order.
///
/// Only inputs that were created with ``variable(_:)`` (and results computed from them) carry
/// gradients; weights and other constants are plain ``Tensor`` arguments captured by an op's
/// pullback. A new tape per optimization step is the intended use.
///
/// ```swift
/// let tape = Tape()
/// let x = tape.variable(Tensor(shape: [2], scalars: [1, 2]))
/// let y = (x * x).sum()
/// let g = tape.gradient(of: y, withRespectTo: x)  // [2, 4]
/// ```
public final class Tape {
    /// The gradient of one op: given the gradient of its output, the gradients of its inputs
    /// (in the order of `inputs`; `nil` where an input needs none).
    public typealias Pullback = (Tensor) -> [Tensor?]

    struct Node {
        var value: Tensor
        var needsGradient: Bool
        var inputs: [Int]
        var pullback: Pullback?
    }

    private(set) var nodes: [Node] = []

    public init() {
        precondition(engineMemorySetup)  // a read the optimizer cannot drop: runs the one-time setup
    }

    /// A leaf whose gradient is wanted (an image parameter).
    public func variable(_ value: Tensor) -> Variable {
        append(Node(value: value, needsGradient: true, inputs: [], pullback: nil))
    }

    /// A leaf that needs no gradient.
    public func constant(_ value: Tensor) -> Variable {
        append(Node(value: value, needsGradient: false, inputs: [], pullback: nil))
    }

    /// Records the result of an op. The pullback is kept only when some input needs a gradient.
    public func record(_ value: Tensor, inputs: [Variable], pullback: @escaping Pullback) -> Variable {
        let ids = inputs.map { v -> Int in
            precondition(v.tape === self, "variables from different tapes")
            return v.id
        }
        let needs = ids.contains { nodes[$0].needsGradient }
        return append(Node(value: value, needsGradient: needs, inputs: ids, pullback: needs ? pullback : nil))
    }

    func value(_ id: Int) -> Tensor { nodes[id].value }
    func needsGradient(_ id: Int) -> Bool { nodes[id].needsGradient }

    private func append(_ node: Node) -> Variable {
        nodes.append(node)
        return Variable(tape: self, id: nodes.count - 1)
    }

    /// Gradients of `output` (seeded with `seed`, or ones) with respect to every node that needs one;
    /// inner nodes' gradients are dropped once spent, except those of `retaining`.
    public func gradients(of output: Variable, seed: Tensor? = nil, retaining: [Variable] = []) -> Gradients {
        let kept = Set(retaining.map(\.id))
        precondition(output.tape === self, "output from another tape")
        var grads = [Tensor?](repeating: nil, count: nodes.count)
        let start = seed ?? Tensor(shape: output.shape, repeating: 1)
        precondition(start.shape == output.shape, "seed shape \(start.shape) ≠ output \(output.shape)")
        grads[output.id] = start
        for id in stride(from: output.id, through: 0, by: -1) {
            guard let g = grads[id], let pullback = nodes[id].pullback else { continue }
            let inputs = nodes[id].inputs
            let inputGrads = pullback(g)
            precondition(inputGrads.count == inputs.count, "pullback returned \(inputGrads.count) of \(inputs.count)")
            for (input, ig) in zip(inputs, inputGrads) where nodes[input].needsGradient {
                guard let ig else { continue }
                precondition(ig.shape == nodes[input].value.shape,
                             "gradient shape \(ig.shape) ≠ value shape \(nodes[input].value.shape)")
                if grads[input] != nil {
                    grads[input]!.add(ig)  // in place: a local copy would make the add copy the buffer
                } else {
                    grads[input] = ig
                }
            }
            if !kept.contains(id) { grads[id] = nil }  // an inner node's gradient is spent; leaves keep theirs
        }
        return Gradients(values: grads)
    }

    /// The gradient of a scalar `output` with respect to `input` (zeros if it does not depend on it).
    public func gradient(of output: Variable, withRespectTo input: Variable) -> Tensor {
        gradients(of: output)[input]
    }
}

/// The result of ``Tape/gradients(of:seed:)``: look up a leaf variable's gradient.
public struct Gradients {
    let values: [Tensor?]
    public subscript(_ v: Variable) -> Tensor {
        values[v.id] ?? Tensor(zeros: v.shape)
    }
}

/// A value recorded on a ``Tape``.
public struct Variable {
    public let tape: Tape
    public let id: Int

    public var value: Tensor { tape.value(id) }
    public var shape: [Int] { tape.value(id).shape }
    public var needsGradient: Bool { tape.needsGradient(id) }
}

extension Tensor {
    /// In-place elementwise sum; shapes must match.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add: \(shape) vs \(other.shape)")
        let count = self.count
        scalars.withUnsafeMutableBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                // Over the cores: gradients of residual blocks meet here.
                parallelForScalars(count) { r in
                    fv_add_inplace(a.baseAddress! + r.lowerBound, b.baseAddress! + r.lowerBound, r.count)
                }
            }
        }
    }
}
