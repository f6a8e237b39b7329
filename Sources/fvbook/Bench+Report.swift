import Foundation

/// The timing of optimization steps for one layer, image side and batch size.
struct StepMeasurement: Codable {
    let layer: String
    let size: Int
    let batch: Int
    /// Forward + input-gradient FLOPs of convolutions and the classifier, per image, in GFLOP.
    let gflopPerImage: Double
    /// The part of `gflopPerImage` in depthwise convolutions (the rest is GEMM-shaped).
    let depthwiseShare: Double
    /// Milliseconds per step (the whole batch).
    let msPerStep: Stats
    /// Milliseconds per step divided by the batch size.
    let msPerImage: Stats
    /// `gflopPerImage · batch` over the median step time.
    let achievedGFLOPS: Double
    /// CPU time over wall time while stepping: 1 is one core busy, 2 both (other processes'
    /// load lowers it).
    let coresBusy: Double
    /// `achievedGFLOPS` over the median 2-thread sgemm GFLOP/s (nil without an sgemm measurement).
    var shareOfPeak: Double?
    /// For batches above 1: median ms per image over batch 1's median ms (same layer and size).
    var perImageRatioToBatch1: Double?
}

/// Everything one `fvbook bench` run measured; printed as a table or as JSON.
struct BenchReport: Codable {
    var machine: MachineInfo
    var quick: Bool
    var warmupSteps: Int
    /// Whether the steps ran with the standard transforms and the resize (`--transforms`).
    var transforms = false
    var sgemm: SgemmPeak?
    var steps: [StepMeasurement] = []
    /// The image side of a step alone, per step-table size and batch, and for the default render.
    var imageSide: [ImageSideMeasurement] = []
    var render: RenderMeasurement?
    /// The peak resident memory of the whole benchmark process, in MB.
    var processPeakRSSMB: Double = 0

    /// Fills in every step's share of the sgemm peak.
    mutating func setShares(peakGFLOPS: Double?) {
        for i in steps.indices {
            steps[i].shareOfPeak = peakGFLOPS.map { rounded(steps[i].achievedGFLOPS / $0, decimals: 4) }
        }
    }

    /// Pretty-printed JSON with sorted keys.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

// MARK: - Targets

/// The project's performance targets and PyTorch's figures on the same machine (PyTorch 2.15,
/// oneDNN, 2 threads, frozen weights, forward stopped at the target layer; Lucent for the
/// render). Printed next to the measurements so a run says at once where the engine stands.
enum BenchTargets {
    struct Step {
        let layer: String, size: Int
        let targetMs: Double, pytorchMs: Double
    }

    static let steps = [
        Step(layer: "_blocks.8", size: 224, targetMs: 10, pytorchMs: 30.6),
        Step(layer: "_blocks.8", size: 128, targetMs: 4, pytorchMs: 12.3),
        Step(layer: "logits", size: 224, targetMs: 15, pytorchMs: 44.9),
    ]
    static let renderSeconds = 5.0, pytorchRenderSeconds = 42.8
    static let batchRatio = 0.6
    static let renderPeakRSSMB = 300.0
}

// MARK: - Text

extension BenchReport {
    /// The report as aligned tables, for a terminal.
    func text() -> String {
        var out: [String] = []
        let load = String(format: "load average %.2f at start, %.2f at end", machine.loadAverageStart, machine.loadAverageEnd)
        out.append("fvbook bench\(quick ? " --quick" : "") — EfficientNet-Lite0 on \(machine.cpu), \(machine.cores) cores; \(load)")
        out.append("OpenBLAS: \(machine.openBLAS); core \(machine.blasCore)")
        if let sgemm {
            out.append("")
            let runs = sgemm.runs.map { run in
                "\(run.threads) thread\(run.threads == 1 ? "" : "s") \(format(run.gflops, "%.1f")) GFLOP/s"
            }
            let best = sgemm.sessions > 1 ? "; the better of \(sgemm.sessions) sessions, before and after the steps" : ""
            out.append("sgemm \(sgemm.size)³: " + runs.joined(separator: ", ") + " (median, min–max\(best))")
        }
        if !steps.isEmpty { out += stepTable() }
        if !imageSide.isEmpty { out += imageSideLines() }
        if let render { out += renderLines(render) }
        let targets = targetLines()
        if !targets.isEmpty { out += [""] + targets }
        return out.joined(separator: "\n")
    }

    private func stepTable() -> [String] {
        let setting = transforms ? "WITH the standard transforms and the resize to 224" : "no transforms, no resize"
        var out = ["", "Optimization step = forward to the layer + gradient to the image + Adam (Fourier + decorrelated",
                   "colour, \(setting)). Milliseconds: median (min–max) of \(steps.first!.msPerStep.count)+ steps after \(warmupSteps) warm-up.",
                   "GFLOP: forward + input-gradient convolutions and classifier per image (dw: depthwise part);",
                   "%pk: achieved GFLOP/s over the 2-thread sgemm peak; cpu: cores busy (CPU time / wall time);",
                   "b8/b1: batch-8 ms per image over batch-1 ms.",
                   ""]
        let batches = Array(Set(steps.map(\.batch))).sorted()
        var header = pad("layer", 11) + pad("px", 4, right: true) + pad("GFLOP", 7, right: true) + pad("dw", 5, right: true)
        for b in batches {
            header += "  " + pad(b == 1 ? "batch 1 ms" : "batch \(b) ms/img", 21) + pad("GFLOP/s", 8, right: true)
                + pad("%pk", 5, right: true) + pad("cpu", 5, right: true)
        }
        if batches.count > 1 { header += pad("b\(batches.last!)/b1", 7, right: true) }
        out.append(header)
        var rows: [(String, Int)] = []
        for s in steps where !rows.contains(where: { $0 == (s.layer, s.size) }) { rows.append((s.layer, s.size)) }
        for (layer, size) in rows {
            let cells = steps.filter { $0.layer == layer && $0.size == size }
            guard let first = cells.first else { continue }
            var line = pad(layer, 11) + pad("\(size)", 4, right: true) + pad(String(format: "%.3f", first.gflopPerImage), 7, right: true)
                + pad(String(format: "%.0f%%", 100 * first.depthwiseShare), 5, right: true)
            for b in batches {
                guard let m = cells.first(where: { $0.batch == b }) else {
                    line += "  " + pad("—", 21) + pad("", 18)
                    continue
                }
                let share = m.shareOfPeak.map { String(format: "%.0f%%", 100 * $0) } ?? "—"
                line += "  " + pad(format(m.msPerImage, m.msPerImage.median < 10 ? "%.2f" : "%.1f"), 21)
                    + pad(String(format: "%.1f", m.achievedGFLOPS), 8, right: true) + pad(share, 5, right: true)
                    + pad(String(format: "%.1f", m.coresBusy), 5, right: true)
            }
            if batches.count > 1 {
                let ratio = cells.first(where: { $0.batch == batches.last! })?.perImageRatioToBatch1
                line += pad(ratio.map { String(format: "%.2f", $0) } ?? "—", 7, right: true)
            }
            out.append(line)
        }
        return out
    }

    private func imageSideLines() -> [String] {
        var out = ["", "Image side of a step alone (parameters → image → input, and the gradient back; no network), ms:"]
        for m in imageSide {
            out.append("  \(pad("\(m.size) px, batch \(m.batch)", 18))\(pad(format(m.ms, "%.2f"), 22))\(m.pipeline)")
        }
        return out
    }

    private func renderLines(_ r: RenderMeasurement) -> [String] {
        let perStep = 1000 * r.seconds.median / Double(max(r.steps, 1))
        return ["",
                "Default render: FeatureVisualizer.visualizeFeature(layer: \"\(r.layer)\", channel: \(r.channel)) — \(r.steps) steps",
                "at \(r.size) px upsampled to \(r.inputSize), Fourier + decorrelated colour + standard transforms, no metrics:",
                "  \(r.seconds.count == 1 ? String(format: "%.2f s in one run", r.seconds.median) : format(r.seconds, "%.2f") + " s over \(r.seconds.count) runs") (\(String(format: "%.1f", perStep)) ms per step);"
                    + " peak RSS \(String(format: "%.0f", r.peakRSSMB)) MB (\(r.measuredIn); \(String(format: "%.0f", r.rssAfterLoadMB)) MB after loading the network)"]
    }

    /// One line per target whose measurement this run made.
    private func targetLines() -> [String] {
        var out: [String] = []
        func line(_ what: String, _ value: String, _ target: String, _ pytorch: String, met: Bool) {
            out.append(pad(what, 34) + pad(value, 10, right: true) + "   " + pad(target, 10) + pad(pytorch, 18) + (met ? "met" : "NOT MET"))
        }
        guard !transforms else { return [] }  // the targets are for pixel-free steps
        for t in BenchTargets.steps {
            guard let m = steps.first(where: { $0.layer == t.layer && $0.size == t.size && $0.batch == 1 }) else { continue }
            line("step to \(t.layer), \(t.size) px, batch 1", String(format: "%.1f ms", m.msPerStep.median),
                 String(format: "≤ %.0f ms", t.targetMs), String(format: "PyTorch %.1f ms", t.pytorchMs),
                 met: m.msPerStep.median <= t.targetMs)
        }
        let ratios = steps.compactMap(\.perImageRatioToBatch1)
        if let worst = ratios.max() {
            line("batch-8 ms/image ÷ batch 1 (worst)", String(format: "%.2f", worst), String(format: "≤ %.1f", BenchTargets.batchRatio),
                 "", met: worst <= BenchTargets.batchRatio)
        }
        if let r = render {
            line("default render", String(format: "%.1f s", r.seconds.median), String(format: "≤ %.0f s", BenchTargets.renderSeconds),
                 String(format: "Lucent %.1f s", BenchTargets.pytorchRenderSeconds), met: r.seconds.median <= BenchTargets.renderSeconds)
            line("default render peak RSS", String(format: "%.0f MB", r.peakRSSMB), String(format: "≤ %.0f MB", BenchTargets.renderPeakRSSMB),
                 "", met: r.peakRSSMB <= BenchTargets.renderPeakRSSMB)
        }
        return out.isEmpty ? [] : ["Targets (PyTorch 2.15: oneDNN, 2 threads, on this machine)"] + out
    }

    /// "median (min–max)" with one format for all three.
    private func format(_ s: Stats, _ f: String) -> String {
        "\(String(format: f, s.median)) (\(String(format: f, s.min))–\(String(format: f, s.max)))"
    }

    /// `s` padded with spaces to `width` characters (on the left when `right`).
    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return right ? fill + s : s + fill
    }
}
