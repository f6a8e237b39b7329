import Foundation
import Models
import Tensors

/// Where a render is, reported after every step.
public struct RenderProgress: Sendable {
    /// The step just taken, 1…steps (counted over all the scales of the recipe).
    public let step: Int
    public let steps: Int
    /// The objective's value at this step (before the update).
    public let objective: Float
    public let elapsedSeconds: Double
}

/// The outcome of ``render(_:on:progress:)``.
public struct RenderResult: Sendable {
    /// The final image `[N, 3, H, W]` in [0, 1].
    public let image: Tensor
    /// The final parameters (to continue optimizing); for ``Recipe/Scales/summed(_:scale:)``, a
    /// parameterization fitted to the averaged image.
    public let parameterization: ImageParameterization
    /// The objective's value at every step, before that step's update (all scales in order).
    public let history: [Float]
    /// Seconds spent optimizing.
    public let seconds: Double
    /// MACO's transparency map: `|∂objective/∂image|` summed over the steps at the final size,
    /// `[N, 3, H, W]` — where the optimization kept pushing, i.e. what the objective depends on.
    public var attribution: Tensor? = nil
}

/// Runs `recipe` on `network`: maximizes its objective, starting from its parameterization.
///
/// Each step records a fresh tape: image from the parameters → transforms → resize to the
/// network's input size if the image is smaller → forward pass that stops at the deepest layer
/// the objective reads → objective → gradient with respect to the parameters → optimizer ascent.
/// Scales other than ``Recipe/Scales/single`` repeat this at each size of ``Recipe/sizes``.
///
/// ```swift
/// let result = try render(Recipe(.channel("_blocks.8", 3), from: .fourier(size: 128, seed: 1)), on: model)
/// ```
///
/// - Throws: before the first step, ``ModelError/unknownLayer(_:model:valid:)`` for a layer the
///   network lacks, ``ModelError/channelOutOfRange(_:layer:channels:)``, and
///   ``FeatureVisError/invalidArgument(name:value:valid:)`` for any other argument out of range
///   (steps, learning rate, scales, a batch index, a direction's length);
///   ``FeatureVisError/nonFinite(what:step:objective:)`` when the objective or a gradient becomes
///   NaN or infinite.
public func render(_ recipe: Recipe, on network: Network,
                   progress: ((RenderProgress) -> Void)? = nil) throws -> RenderResult {
    let reader = try recipe.validated(on: network)
    // With memoized renders on (``RenderMemo``), a recipe rendered before is read back: its
    // steps are reported from the stored history, so callers see what a fresh run reports.
    var fresh: RenderResult?
    let stored = try RenderMemo.remember("render " + recipe.key, on: network, hit: { (stored: StoredRender) in
        let history = stored.history.values
        for (index, value) in history.enumerated() {
            let report = RenderProgress(step: index + 1, steps: history.count, objective: value, elapsedSeconds: 0)
            progress?(report)
            if index + 1 == history.count { RenderMonitor.report(report) }
        }
    }) {
        let result = try optimize(recipe, reader: reader, progress: progress)
        fresh = result
        return StoredRender(result)
    }
    return fresh ?? stored.result(template: recipe.parameterization)
}

/// The optimization ``render(_:on:progress:)`` runs when it has no stored result.
private func optimize(_ recipe: Recipe, reader: LayerReader, progress: ((RenderProgress) -> Void)?) throws -> RenderResult {
    let template = recipe.parameterization
    let sizes = recipe.sizes, final = template.height
    let total: Int
    if case .summed = recipe.scales { total = recipe.steps * sizes.count } else { total = recipe.steps }
    var loop = StepLoop(recipe: recipe, reader: reader, total: total, progress: progress)
    var param = template
    var sum: Tensor?
    for (k, side) in sizes.enumerated() {
        var steps = recipe.steps
        switch recipe.scales {
        case .single:
            break
        case .octaves(let n, _):
            if k == 0 {
                param = template.reseeded(size: side, seed: template.seed)
            } else {
                let upsampled = resizeBilinear(Tape().constant(param.image()), height: side, width: side).value
                param = param.fitted(to: upsampled)
            }
            steps = recipe.steps / n + (k < recipe.steps % n ? 1 : 0)
        case .summed:
            param = template.reseeded(size: side, seed: template.seed &+ UInt64(k))
        }
        param = try loop.optimize(param, steps: steps, seed: recipe.seed &+ UInt64(k))
        if case .summed = recipe.scales {
            let image = resizeBilinear(Tape().constant(param.image()), height: final, width: final).value
            if sum == nil { sum = Tensor(zeros: image.shape) }
            sum!.add(image)
        }
    }
    if let sum {
        let average = sum.map { $0 / Float(sizes.count) }
        return RenderResult(image: average, parameterization: template.fitted(to: average),
                            history: loop.history, seconds: loop.seconds)
    }
    var result = RenderResult(image: param.image(), parameterization: param, history: loop.history, seconds: loop.seconds)
    result.attribution = loop.attribution
    return result
}

/// The optimization steps of one render, over all its scales.
private struct StepLoop {
    let recipe: Recipe
    let reader: LayerReader
    let total: Int
    let progress: ((RenderProgress) -> Void)?
    private(set) var history: [Float] = []
    private(set) var seconds = 0.0
    /// Σ |∂objective/∂image| at the current size (restarted when the size changes).
    private(set) var attribution: Tensor?
    private let start = Date()

    init(recipe: Recipe, reader: LayerReader, total: Int, progress: ((RenderProgress) -> Void)?) {
        self.recipe = recipe
        self.reader = reader
        self.total = total
        self.progress = progress
        history.reserveCapacity(total)
    }

    /// `steps` optimizer updates of `parameterization`, with a fresh optimizer and transforms seeded by `seed`.
    mutating func optimize(_ parameterization: ImageParameterization, steps: Int, seed: UInt64) throws -> ImageParameterization {
        let network = reader.network, objective = recipe.objective
        var param = parameterization
        var adam = recipe.optimizer.make()
        var rng = SeededGenerator(seed: seed)
        let transform = Transform.compose(recipe.transforms)
        let resize = recipe.resizeToNetworkInput
            && (param.height < network.inputSize || param.width < network.inputSize)
        let began = Date()
        defer { seconds += Date().timeIntervalSince(began) }
        for _ in 0..<steps {
            let tape = Tape()
            let variables = param.parameters.map { tape.variable($0) }
            let made = param.makeImage(from: variables)
            let image = recipe.reference.map { concat([made, tape.constant($0)], axis: 0) } ?? made
            var input = transform(image, using: &rng)
            if resize {
                input = resizeBilinear(input, height: network.inputSize, width: network.inputSize, alignCorners: true)
            }
            let value = objective(reader.inputs(image: image, input: input))
            let v = value.value.scalar
            let step = history.count + 1
            guard v.isFinite else { throw FeatureVisError.nonFinite(what: "objective", step: step, objective: objective.name) }
            let gradients = tape.gradients(of: value, retaining: [made])
            let g = variables.map { gradients[$0] }
            let imageGradient = gradients[made]
            if attribution?.shape == imageGradient.shape { attribution!.addMagnitudes(of: imageGradient) } else { attribution = imageGradient.magnitudes() }
            guard g.allSatisfy(\.isFinite) else {
                throw FeatureVisError.nonFinite(what: "gradient", step: step, objective: objective.name)
            }
            adam.ascend(&param.parameters, along: g)
            param.project()
            history.append(v)
            let report = RenderProgress(step: step, steps: total, objective: v,
                                        elapsedSeconds: Date().timeIntervalSince(start))
            progress?(report)
            RenderMonitor.report(report)
        }
        return param
    }
}
