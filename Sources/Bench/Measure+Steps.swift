// Optimization steps of the real render loop, and the image half of a step alone.
import FeatureVis
import Foundation
import Models
import Tensors

/// Times the optimization steps of the render loop on `network`: `.channel(layer, 0)` on a
/// Fourier-parameterized, colour-decorrelated batch, no transforms, no resize — forward to the
/// layer, gradient to the parameters, Adam update. (With `transforms` and `resize`, the steps of
/// the default render's pipeline instead.)
///
/// A two-step pilot render sizes the run: as many steps as fit in the plan's budget, within its
/// bounds, after its warm-up steps (which are run in the same render and discarded).
/// - Returns: milliseconds per timed step, and the process's working CPU time over the wall time
///   of the whole render (2 means both cores busy all the time).
func measureSteps(network: Network, layer: String, size: Int, batch: Int, plan: BenchPlan,
                  repetitions: Int?, transforms: [Transform] = [], resize: Bool = false) throws -> (ms: [Double], coresBusy: Double) {
    func timedRender(steps: Int) throws -> (ms: [Double], coresBusy: Double) {
        var marks = [monotonicSeconds()]
        marks.reserveCapacity(steps + 1)
        let cpuStart = workingCPUSeconds()
        _ = try render(Recipe(.channel(layer, 0), from: .fourier(size: size, batch: batch, seed: 0),
                              transforms: transforms, steps: steps, resizeToNetworkInput: resize),
                       on: network, progress: { _ in marks.append(monotonicSeconds()) })
        let busy = (workingCPUSeconds() - cpuStart) / (marks.last! - marks[0])
        return (zip(marks.dropFirst(), marks).map { 1000 * ($0 - $1) }, busy)
    }
    let timed: Int
    if let repetitions {
        timed = repetitions
    } else if plan.minSteps == plan.maxSteps {
        timed = plan.minSteps
    } else {
        let pilotMs = try timedRender(steps: 2).ms.last!
        timed = min(plan.maxSteps, max(plan.minSteps, Int(1000 * plan.stepBudgetSeconds / pilotMs)))
    }
    let run = try timedRender(steps: plan.warmupSteps + timed)
    return (Array(run.ms.dropFirst(plan.warmupSteps)), run.coresBusy)
}

/// CPU seconds of this process that did work: `cpuSeconds()` less the engine's thread pool spinning
/// for work (which the kernel counts as busy).
func workingCPUSeconds() -> Double { cpuSeconds() - EngineThreads.spinSeconds }

/// User and system CPU seconds of this process so far, all threads.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

// MARK: - The image side alone

/// The image pipeline of one step without the network: which share of a step is not the network.
struct ImageSideMeasurement: Codable {
    let size: Int
    let batch: Int
    /// "Fourier + decorrelated colour + sigmoid", plus the transforms and resize when applied.
    let pipeline: String
    /// Milliseconds per step: image from the parameters (and transforms, resize), then the
    /// gradient of the input's mean back to the parameters.
    let ms: Stats
}

/// Times the image side of a step: a Fourier-parameterized, colour-decorrelated batch made on a
/// fresh tape, optionally transformed and resized as the render loop does, and the gradient of
/// its mean back to the parameters. `steps` timed repetitions after `warmup` untimed ones.
func measureImageSide(size: Int, batch: Int, transforms: [Transform], resizeTo side: Int?,
                      warmup: Int, steps: Int) -> ImageSideMeasurement {
    let param = ImageParameterization.fourier(size: size, batch: batch, seed: 0)
    let transform = Transform.compose(transforms)
    var rng = SeededGenerator(seed: 1)
    var ms: [Double] = []
    for rep in 0..<(warmup + steps) {
        let start = monotonicSeconds()
        let tape = Tape()
        let variables = param.parameters.map { tape.variable($0) }
        var input = transform(param.makeImage(from: variables), using: &rng)
        if let side { input = resizeBilinear(input, height: side, width: side, alignCorners: true) }
        let gradients = tape.gradients(of: input.mean())
        precondition(variables.allSatisfy { gradients[$0].shape == param.parameters[0].shape }, "no parameter gradient")
        if rep >= warmup { ms.append(1000 * (monotonicSeconds() - start)) }
    }
    var pipeline = "Fourier + decorrelated colour + sigmoid"
    if !transforms.isEmpty { pipeline += " + \(transforms.count) transforms" }
    if let side { pipeline += " + resize to \(side)" }
    return ImageSideMeasurement(size: size, batch: batch, pipeline: pipeline, ms: Stats(ms))
}

