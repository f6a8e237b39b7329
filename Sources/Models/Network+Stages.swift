import Tensors

/// The state a forward pass carries between stages besides the current activation: the input of
/// the current residual block, which the block's last stage adds back.
struct StageContext {
    var blockInput: Variable?
}

/// One readable point of a network's forward pass: a name, the channels it outputs, and how to
/// compute it from the previous point's output.
struct Stage {
    let name: String
    let channels: Int
    let run: (Variable, inout StageContext) -> Variable
    /// Computes this stage *and the next one* in one go — a convolution with the ReLU after it
    /// fused into the kernel. Used when this stage's own output is not read.
    var runWithNext: ((Variable, inout StageContext) -> Variable)? = nil
}

/// A network as a flat list of named stages, run in order up to the deepest one requested.
///
/// Truncating the forward pass matters for feature visualization: an objective on `_blocks.4`
/// never pays for the twelve blocks after it, in the forward pass or in the backward pass.
struct StagedNetwork {
    let model: String
    let stages: [Stage]
    private let index: [String: Int]

    init(model: String, stages: [Stage]) {
        self.model = model
        self.stages = stages
        var index: [String: Int] = [:]
        for (i, stage) in stages.enumerated() {
            precondition(index[stage.name] == nil, "duplicate layer name \(stage.name) in \(model)")
            index[stage.name] = i
        }
        self.index = index
    }

    var layerNames: [String] { stages.map(\.name) }

    private func position(of layer: String) throws -> Int {
        guard let i = index[layer] else {
            throw ModelError.unknownLayer(layer, model: model, valid: layerNames)
        }
        return i
    }

    func channels(of layer: String) throws -> Int { stages[try position(of: layer)].channels }

    /// Runs the stages on `x` up to the deepest layer in `layers` and returns those layers' outputs.
    func forward(_ x: Variable, reading layers: Set<String>) throws -> [String: Variable] {
        let wanted = try layers.map { try position(of: $0) }
        guard let deepest = wanted.max() else { return [:] }
        var outputs: [String: Variable] = [:]
        var context = StageContext()
        var current = x
        var i = 0
        while i <= deepest {
            let stage = stages[i]
            if let fused = stage.runWithNext, !layers.contains(stage.name), i < deepest {
                current = fused(current, &context)
                i += 1  // the next stage is done too
            } else {
                current = stage.run(current, &context)
            }
            if layers.contains(stages[i].name) { outputs[stages[i].name] = current }
            i += 1
        }
        return outputs
    }
}
