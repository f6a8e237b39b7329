// The report as aligned tables, for a terminal.
import Foundation

extension BenchReport {
    /// The report as aligned tables, for a terminal.
    public func text() -> String {
        var out: [String] = []
        let load = String(format: "load average %.2f at start, %.2f at end", machine.loadAverageStart, machine.loadAverageEnd)
        out.append("fvbook bench\(quick ? " --quick" : "") — EfficientNet-Lite0 on \(machine.cpu), \(machine.cores) cores; \(load)")
        out.append("OpenBLAS: \(machine.openBLAS); core \(machine.blasCore)")
        out.append("Kernels: \(machine.kernels)")
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
                   "%pk: achieved GFLOP/s over the 2-thread sgemm peak; cpu: cores working (CPU time less the pool's spin-waits, / wall time);",
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
                "  \(r.seconds.count == 1 ? String(format: "%.2f s in one run", r.seconds.median) : format(r.seconds, "%.2f") + " s over \(r.seconds.count) runs") (\(String(format: "%.1f", perStep)) ms per step, cpu \(String(format: "%.2f", r.coresBusy)));"
                    + " peak RSS \(String(format: "%.0f", r.peakRSSMB)) MB (\(r.measuredIn); \(String(format: "%.0f", r.rssAfterLoadMB)) MB after loading the network)"]
    }

    /// One line per target whose measurement this run made.
    private func targetLines() -> [String] {
        var out: [String] = []
        func line(_ what: String, _ value: String, _ target: String, met: Bool) {
            out.append(pad(what, 36) + pad(value, 8, right: true) + "   " + pad(target, 10) + (met ? "met" : "NOT MET"))
        }
        guard !transforms else { return [] }  // the targets are for pixel-free steps
        let ratios = steps.compactMap(\.perImageRatioToBatch1)
        if let worst = ratios.max() {
            line("batch-8 ms/image ÷ batch 1 (worst)", String(format: "%.2f", worst), String(format: "≤ %.1f", BenchTargets.batchRatio),
                 met: worst <= BenchTargets.batchRatio)
        }
        if let r = render {
            line("cores working, default render", String(format: "%.2f", r.coresBusy), String(format: "≥ %.1f", BenchTargets.coresBusy),
                 met: r.coresBusy >= BenchTargets.coresBusy)
            line("default render peak RSS", String(format: "%.0f MB", r.peakRSSMB), String(format: "≤ %.0f MB", BenchTargets.renderPeakRSSMB),
                 met: r.peakRSSMB <= BenchTargets.renderPeakRSSMB)
        }
        return out.isEmpty ? [] : ["Targets this run can judge (the ratios to PyTorch and Lucent: benchmarks/side-by-side.sh)"] + out
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
