import Models
import Tensors

extension Recipe {
    /// Checks every argument against `network` and the batch, and resolves the objective's
    /// layers once; the render then reads them by reference.
    func validated(on network: Network) throws -> LayerReader {
        try validate("steps", steps, in: 1...1_000_000)
        guard optimizer.learningRate > 0, optimizer.learningRate.isFinite else {
            throw FeatureVisError.invalidArgument(name: "learningRate", value: "\(optimizer.learningRate)",
                                                  valid: "finite and > 0")
        }
        switch scales {
        case .single:
            break
        case let .octaves(n, scale), let .summed(n, scale):
            try validate("octaves", n, in: 1...8)
            if case .octaves = scales { try validate("steps", steps, in: n...1_000_000) }
            guard scale > 1, scale.isFinite else {
                throw FeatureVisError.invalidArgument(name: "octaveScale", value: "\(scale)", valid: "> 1")
            }
        }
        if let reference {
            let p = parameterization
            guard reference.rank == 4, reference.shape[0] >= 1, Array(reference.shape[1...]) == [3, p.height, p.width],
                  scales == .single else {
                throw FeatureVisError.invalidArgument(name: "reference", value: "of shape \(reference.shape)",
                                                      valid: "[M, 3, \(p.height), \(p.width)] with a single scale")
            }
        }
        return try LayerReader(network: network, objective: objective,
                               batch: parameterization.batch + (reference?.shape[0] ?? 0))
    }
}

/// Runs the network for an objective: resolves its layer names (and ``Objective/logits``) into
/// references once, checks the objective's requirements, and then reads only what it needs.
struct LayerReader {
    let network: Network
    /// The network layers to read, each with the name the objective reads it by.
    let layers: [(reference: LayerReference, name: String)]

    /// - Throws: ``ModelError`` for an unknown layer or a channel out of range,
    ///   ``FeatureVisError/invalidArgument(name:value:valid:)`` for a batch index or a vector length.
    init(network: Network, objective: Objective, batch: Int) throws {
        self.network = network
        var layers: [(LayerReference, String)] = []
        for name in objective.networkLayers.sorted() {
            let real = name == Objective.logits ? (network.layerNames.last ?? name) : name
            layers.append((try network.layer(real), name))
        }
        self.layers = layers
        let channels = Dictionary(uniqueKeysWithValues: layers.map { ($0.1, $0.0.channels) })
            .merging([Objective.image: 3, Objective.input: 3]) { a, _ in a }
        for requirement in objective.requirements {
            switch requirement {
            case let .channel(layer, n):
                let count = channels[layer]!
                guard (0..<count).contains(n) else {
                    throw ModelError.channelOutOfRange(n, layer: layers.first { $0.1 == layer }?.0.name ?? layer,
                                                       channels: count)
                }
            case let .channelCount(layer, n, argument):
                guard channels[layer]! == n else {
                    throw FeatureVisError.invalidArgument(name: argument, value: "of \(n) entries",
                                                          valid: "\(channels[layer]!) entries, one per channel of `\(layer)`")
                }
            case let .batchItem(i):
                try validate("batch index", i, in: 0...(batch - 1))
            }
        }
    }

    func inputs(image: Variable, input: Variable) -> ObjectiveInputs {
        var activations: [String: Variable] = [:]
        if !layers.isEmpty {
            let outputs = network.forward(input, reading: layers.map(\.reference))
            for (reference, name) in layers { activations[name] = outputs[reference] }
        }
        return ObjectiveInputs(image: image, input: input, activations: activations)
    }
}
