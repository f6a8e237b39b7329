import Tensors

/// What the render loop maximizes: a named function from layer activations to a scalar
/// (Lucid's `objectives.Objective`).
///
/// Objectives combine with `+`, `−`, unary `−` and multiplication by a scalar; each keeps a
/// readable ``name`` for logs and declares the ``layers`` it reads, so the forward pass can stop
/// at the deepest one. Besides the network's layers, an objective can read two images:
/// ``image`` (the parameterization's output, before transforms) and ``input`` (what the network
/// sees, after transforms and resizing).
///
/// ```swift
/// let objective = Objective.channel("_blocks.8", 3) - 0.05 * .totalVariation()
/// objective.name     // "channel(_blocks.8, 3) − 0.05·totalVariation(image)"
/// objective.layers   // ["_blocks.8", "image"]
/// ```
///
/// Besides its readable name, an objective has a ``key`` that spells out every argument exactly
/// (floats bit for bit): the objective's part of a ``Recipe/key``.
public struct Objective: Sendable, CustomStringConvertible {
    /// The pseudo-layer holding the parameterized image `[N, 3, H, W]`, before transforms.
    public static let image = "image"
    /// The pseudo-layer holding the network's input, after transforms and resizing.
    public static let input = "input"
    /// The pseudo-layer standing for the network's last layer (its logits).
    public static let logits = "logits"

    public let name: String
    /// The objective's complete, stable description: two objectives with the same key compute
    /// the same function. The library's objectives spell out every argument; a custom objective's
    /// key is the one it was given. Without one, its key is marked unkeyed
    /// (``RenderMemo/unkeyed``) and renders of it are never memoized: its body may change while
    /// its name stays.
    public let key: String
    /// Every layer (or pseudo-layer) the objective reads.
    public let layers: Set<String>
    /// What the objective needs of the network and the batch, checked before it runs.
    let requirements: [Requirement]
    let body: @Sendable (ObjectiveInputs) -> Variable

    /// A custom objective reading `layers`; `body` returns a scalar (rank 0 or one element).
    /// `key` must tell this objective apart from every other one, because memoized renders are
    /// identified by their recipe's key; without it, renders of this objective always run.
    public init(name: String, key: String? = nil, layers: Set<String>,
                _ body: @escaping @Sendable (ObjectiveInputs) -> Variable) {
        self.init(name: name, key: key ?? name + RenderMemo.unkeyed, layers: layers, requirements: [], body)
    }

    init(name: String, key: String, layers: Set<String>, requirements: [Requirement],
         _ body: @escaping @Sendable (ObjectiveInputs) -> Variable) {
        self.name = name
        self.key = key
        self.layers = layers
        self.requirements = requirements
        self.body = body
    }

    /// A condition on the network or the batch that the objective's arguments must meet.
    enum Requirement: Sendable {
        /// `layer` has channel `n`.
        case channel(layer: String, Int)
        /// `layer` has exactly `count` channels (a direction vector's length).
        case channelCount(layer: String, Int, argument: String)
        /// The batch has image `n`.
        case batchItem(Int)
    }

    /// The objective's value, a rank-0 variable.
    public func callAsFunction(_ inputs: ObjectiveInputs) -> Variable {
        let v = body(inputs)
        precondition(v.value.count == 1, "objective \(name) returned shape \(v.shape), not a scalar")
        return v.shape.isEmpty ? v : v.reshaped([])
    }

    public var description: String { name }

    /// The network layers the objective reads (without the pseudo-layers).
    public var networkLayers: Set<String> { layers.subtracting([Self.image, Self.input]) }
}

/// What an objective can read in one step: the images and the activations of its layers.
public struct ObjectiveInputs {
    /// The parameterized image `[N, 3, H, W]`.
    public let image: Variable
    /// The network's input after transforms `[N, 3, h, w]`.
    public let input: Variable
    /// Activations by layer name (including ``Objective/logits`` when requested).
    public let activations: [String: Variable]

    public init(image: Variable, input: Variable, activations: [String: Variable]) {
        self.image = image
        self.input = input
        self.activations = activations
    }

    /// The activation of `layer`, or one of the pseudo-layers.
    public subscript(_ layer: String) -> Variable {
        switch layer {
        case Objective.image: return image
        case Objective.input: return input
        default:
            guard let a = activations[layer] else {
                preconditionFailure("objective reads `\(layer)`, which was not computed (have \(activations.keys.sorted()))")
            }
            return a
        }
    }
}

// MARK: - Algebra

extension Objective {
    public static func + (a: Objective, b: Objective) -> Objective {
        combine(a, b, name: "\(a.name) + \(b.name)", key: "(\(a.key)+\(b.key))") { a($0) + b($0) }
    }

    public static func - (a: Objective, b: Objective) -> Objective {
        combine(a, b, name: "\(a.name) − \(b.parenthesizedName)", key: "(\(a.key)-\(b.key))") { a($0) - b($0) }
    }

    public static prefix func - (a: Objective) -> Objective {
        Objective(name: "−\(a.parenthesizedName)", key: "(-\(a.key))", layers: a.layers,
                  requirements: a.requirements) { a($0) * -1 }
    }

    /// Scales this objective only: `a + 2 * b` weights `b` alone.
    public static func * (s: Float, a: Objective) -> Objective {
        Objective(name: "\(s.formatted())·\(a.parenthesizedName)", key: "(\(s.keyText)*\(a.key))", layers: a.layers,
                  requirements: a.requirements) { a($0) * s }
    }

    public static func * (a: Objective, s: Float) -> Objective { s * a }

    public static func + (a: Objective, s: Float) -> Objective {
        Objective(name: "\(a.name) + \(s.formatted())", key: "(\(a.key)+\(s.keyText))", layers: a.layers,
                  requirements: a.requirements) { a($0) + s }
    }

    private static func combine(_ a: Objective, _ b: Objective, name: String, key: String,
                                _ body: @escaping @Sendable (ObjectiveInputs) -> Variable) -> Objective {
        Objective(name: name, key: key, layers: a.layers.union(b.layers),
                  requirements: a.requirements + b.requirements, body)
    }

    private var parenthesizedName: String {
        name.contains(" + ") || name.contains(" − ") ? "(\(name))" : name
    }
}
