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
///
/// It also holds the checkpoint the stages were built from, so the networks made of it share one
/// ``weightsDigest``.
final class StagedNetwork {
    let model: String
    let stages: [Stage]
    /// One reference per stage, in order.
    let layers: [LayerReference]
    private let weights: Checkpoint
    /// The checkpoint's ``Checkpoint/contentDigest()``, computed on first use.
    private(set) lazy var weightsDigest: String? = weights.contentDigest()

    init(model: String, stages: [Stage], weights: Checkpoint) {
        self.model = model
        self.stages = stages
        self.weights = weights
        layers = stages.enumerated().map { LayerReference(name: $1.name, index: $0, channels: $1.channels) }
        precondition(Set(stages.map(\.name)).count == stages.count, "duplicate layer names in \(model)")
    }

    /// Runs the stages on `x` (`[N, 3, H, W]`) up to the deepest of `layers` and returns their outputs.
    func forward(_ x: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        precondition(x.shape.count == 4 && x.shape[1] == 3, "images must be [N, 3, H, W], got \(x.shape)")
        for layer in layers {
            precondition(layer.index < self.layers.count && self.layers[layer.index] == layer,
                         "layer \(layer.name) is not a layer of \(model)")
        }
        guard let deepest = layers.map(\.index).max() else { return [:] }
        let wanted = Set(layers.map(\.index))
        var outputs: [LayerReference: Variable] = [:]
        var context = StageContext()
        var current = x
        var i = 0
        while i <= deepest {
            let stage = stages[i]
            if let fused = stage.runWithNext, !wanted.contains(i), i < deepest {
                current = fused(current, &context)
                i += 1  // the next stage is done too
            } else {
                current = stage.run(current, &context)
            }
            if wanted.contains(i) { outputs[self.layers[i]] = current }
            i += 1
        }
        return outputs
    }
}
