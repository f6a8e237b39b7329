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
    ///
    /// A batch of large images runs image by image through the first stages, while their planes
    /// are large, and as one batch after that: at 224 px a batch's widest activations (8 × 96 ×
    /// 112² floats, 38 MB) overflow the caches between one op and the next, one image's stay in
    /// them, and the backward pass then also takes one image's chain at a time. Small planes keep
    /// the batch, which gives their convolutions enough work per call, and so do small images (at
    /// 128 px the whole batch's activations fit in a 32 MB L3 cache, and image by image was 7 %
    /// slower). Planes above `imageByImagePlane` are cut into the same tiles in a batch as alone,
    /// so both ways give the same bits.
    func forward(_ x: Variable, reading layers: [LayerReference]) -> [LayerReference: Variable] {
        precondition(x.shape.count == 4 && x.shape[1] == 3, "images must be [N, 3, H, W], got \(x.shape)")
        for layer in layers {
            precondition(layer.index < self.layers.count && self.layers[layer.index] == layer,
                         "layer \(layer.name) is not a layer of \(model)")
        }
        guard let deepest = layers.map(\.index).max() else { return [:] }
        let wanted = Set(layers.map(\.index))
        let batch = x.shape[0]
        guard batch > 1, x.shape[2] * x.shape[3] > Self.imageByImageInput else {
            var pass = Pass(current: x)
            run(&pass, through: deepest, wanted: wanted, whilePlaneAbove: nil)
            return pass.outputs
        }
        // Image by image while the planes are large: every image stops after the same stage.
        let passes = (0..<batch).map { n in
            var pass = Pass(current: slice(x, axis: 0, range: n..<(n + 1)))
            run(&pass, through: deepest, wanted: wanted, whilePlaneAbove: Self.imageByImagePlane)
            return pass
        }
        var joined = Pass(current: concat(passes.map(\.current), axis: 0), next: passes[0].next)
        let blockInputs = passes.compactMap(\.context.blockInput)
        if blockInputs.count == batch { joined.context.blockInput = concat(blockInputs, axis: 0) }
        for layer in passes[0].outputs.keys {
            joined.outputs[layer] = concat(passes.map { $0.outputs[layer]! }, axis: 0)
        }
        run(&joined, through: deepest, wanted: wanted, whilePlaneAbove: nil)
        return joined.outputs
    }

    /// Output planes (height × width) above which a batch runs image by image: twice the plane
    /// under which the 1×1 convolutions of a single image are split by rows (`pointwiseRowBlocks`),
    /// so that a plane's column tiles do not depend on the batch either.
    static let imageByImagePlane = 512
    /// Input images larger than this (pixels) run image by image: 160², between the book's 128 and 224 px.
    static let imageByImageInput = 160 * 160

    /// A forward pass in progress: the current activation, the next stage to run, its context
    /// and the outputs read so far.
    private struct Pass {
        var current: Variable
        var next = 0
        var context = StageContext()
        var outputs: [LayerReference: Variable] = [:]
    }

    /// Runs `pass` on through stage `deepest`; with `whilePlaneAbove`, stops after the first stage
    /// whose output plane is not above it (a flat output has a plane of 1).
    private func run(_ pass: inout Pass, through deepest: Int, wanted: Set<Int>, whilePlaneAbove limit: Int?) {
        while pass.next <= deepest {
            let stage = stages[pass.next]
            if let fused = stage.runWithNext, !wanted.contains(pass.next), pass.next < deepest {
                pass.current = fused(pass.current, &pass.context)
                pass.next += 1  // the next stage is done too
            } else {
                pass.current = stage.run(pass.current, &pass.context)
            }
            if wanted.contains(pass.next) { pass.outputs[self.layers[pass.next]] = pass.current }
            pass.next += 1
            let shape = pass.current.shape
            if let limit, (shape.count == 4 ? shape[2] * shape[3] : 1) <= limit { return }
        }
    }
}
