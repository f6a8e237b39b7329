import Foundation
import Tensors

/// A chart for ``show(chart:caption:)``: named series over steps (lines), or labelled bars,
/// grouped when there are several series.
///
/// `show(chart:)` draws it as SVG that the page inlines. Text and axes are `currentColor` and the
/// series take the page's `--chart-1` … `--chart-6` colours (with fallbacks for the file seen
/// alone), so a chart follows light and dark mode, needs no script or network, and stays sharp at
/// any zoom. Non-finite values leave a gap. Series keep the order they are written in.
///
/// ```swift
/// show(chart: .lines(["naive": naiveHistory, "regularized": regularizedHistory],
///                    x: "step", y: "mean activation"),
///      caption: "the objective over the steps of both loops")
/// show(chart: .bars(["lr 0.01", "lr 0.05", "lr 0.2"],
///                   ["activation ratio": [0.8, 1.3, 1.1], "robustness": [0.7, 0.9, 0.5]]),
///      caption: "three learning rates")
/// show(chart: .bars(["seed 0": 1.2, "seed 1": 1.4], y: "activation ratio"))
/// ```
public struct Chart: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Each series is a line over its steps 1…count.
        case lines
        /// One group of bars per label, one bar per series in each group.
        case bars(labels: [String])
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var values: [Double]

        public init(name: String, values: [Double]) {
            self.name = name
            self.values = values
        }
    }

    public var kind: Kind
    public var series: [Series]
    public var title: String
    public var xLabel: String
    public var yLabel: String

    /// - Precondition: at least one series; for bars, every series has one value per label.
    public init(kind: Kind, series: [Series], title: String = "", x xLabel: String = "", y yLabel: String = "") {
        precondition(!series.isEmpty, "a chart needs at least one series")
        if case let .bars(labels) = kind {
            precondition(!labels.isEmpty, "a bar chart needs at least one label")
            for one in series {
                precondition(one.values.count == labels.count,
                             "bar series \"\(one.name)\" has \(one.values.count) values for \(labels.count) labels")
            }
        } else {
            precondition(series.contains { !$0.values.isEmpty }, "a line chart needs at least one value")
        }
        self.kind = kind
        self.series = series
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Lines over steps: `["naive": history1, "regularized": history2]`, value `i` drawn at step `i + 1`.
    public static func lines<Value: BinaryFloatingPoint>(_ series: KeyValuePairs<String, [Value]>, x: String = "step",
                                                         y: String = "", title: String = "") -> Chart {
        Chart(kind: .lines, series: series.map { Series(name: $0.key, values: $0.value.map(Double.init)) },
              title: title, x: x, y: y)
    }

    /// Grouped bars: one group per label, one bar per series (`["ratio": [...], "robustness": [...]]`).
    public static func bars<Value: BinaryFloatingPoint>(_ labels: [String], _ series: KeyValuePairs<String, [Value]>,
                                                        y: String = "", title: String = "") -> Chart {
        Chart(kind: .bars(labels: labels), series: series.map { Series(name: $0.key, values: $0.value.map(Double.init)) },
              title: title, y: y)
    }

    /// One bar per label: `["seed 0": 1.2, "seed 1": 1.4]`.
    public static func bars<Value: BinaryFloatingPoint>(_ values: KeyValuePairs<String, Value>, y: String = "",
                                                        title: String = "") -> Chart {
        Chart(kind: .bars(labels: values.map(\.key)), series: [Series(name: y, values: values.map { Double($0.value) })],
              title: title, y: y)
    }
}

/// Shows a chart in the chapter's page, under the cell that calls it (see ``Chart``).
///
/// ```swift
/// show(chart: .lines(["objective": history]), caption: "the objective over 512 steps")
/// ```
public func show(chart: Chart, caption: String = "") {
    guard let (file, path) = Session.shared.nextImagePath(extension: "svg") else {
        print("[chart] \(caption.isEmpty ? chart.title : caption): \(chart.series.map(\.name).joined(separator: ", ")) (not in a book run: not saved)")
        return
    }
    do {
        try chart.svg.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        fputs("show(chart:): \(error)\n", stderr)
        return
    }
    recordFigure(file: file, caption: caption, width: Int(ChartLayout.width), height: Int(chart.height.rounded()))
}

// MARK: - Drawing

/// The canvas: a fixed width (the page scales it to its column); horizontal bar charts grow
/// downwards with their number of bars.
enum ChartLayout {
    static let width = 460.0, height = 280.0
    static let font = 12.0
    /// A rough average glyph width of the UI font at `font` size, for layout only.
    static let glyph = 6.3
    static let fallbackColours = ["#2563eb", "#e8590c", "#0f9960", "#c2255c", "#7048e8", "#868e96"]
}

extension Chart {
    /// The canvas height: fixed, except for horizontal bars (one row per bar).
    public var height: Double {
        guard case let .bars(labels) = kind, horizontal else { return ChartLayout.height }
        let bottom = ChartLayout.font + 10 + (yLabel.isEmpty ? 0 : ChartLayout.font + 8)
        return header.top + 4 + Double(labels.count) * groupHeight + bottom + 4
    }

    /// Bars lie down when their labels would not fit under them side by side.
    private var horizontal: Bool {
        guard case let .bars(labels) = kind else { return false }
        let room = (ChartLayout.width - 60) / Double(labels.count)
        return (labels.map { Double($0.count) * ChartLayout.glyph }.max() ?? 0) > room - 4
    }

    private var groupHeight: Double { Double(series.count) * (series.count == 1 ? 18 : 13) + 8 }

    /// The title and legend, and where the plot may start below them.
    private var header: (svg: String, top: Double) {
        let (W, font, glyph) = (ChartLayout.width, ChartLayout.font, ChartLayout.glyph)
        var body = ""
        var top = 10.0
        if !title.isEmpty {
            body += text(title, x: 0, y: top + font, attributes: "font-weight=\"600\"")
            top += font + 10
        }
        let named = series.count > 1 || !(series.first?.name.isEmpty ?? true)
        let showLegend = named && !(series.count == 1 && isBars && series[0].name == yLabel)
        if showLegend {
            var x = 0.0
            var line = top + font
            for (index, one) in series.enumerated() {
                let width = 18 + Double(one.name.count) * glyph + 16
                if x > 0 && x + width > W { x = 0; line += font + 8 }
                body += "<rect x=\"\(n(x))\" y=\"\(n(line - 9))\" width=\"12\" height=\"10\" rx=\"2\" style=\"fill: \(colour(index))\"/>"
                body += text(one.name, x: x + 17, y: line)
                x += width
            }
            top = line + 10
        }
        return (body, top)
    }

    /// The chart as a standalone SVG document (no XML prolog, so it can be inlined in HTML).
    public var svg: String {
        let (W, H, font) = (ChartLayout.width, height, ChartLayout.font)
        var (body, top) = header
        if case let .bars(labels) = kind, horizontal {
            body += horizontalBars(labels, top: top)
        } else {
            body += plot(top: top)
        }
        let label = escape(title.isEmpty ? series.map(\.name).joined(separator: ", ") : title)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(n(W)) \(n(H))\" width=\"\(n(W))\" height=\"\(n(H))\" role=\"img\" aria-label=\"\(label)\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"\(n(font))\" fill=\"currentColor\">"
            + body + "</svg>\n"
    }

    /// Lines, or bars standing up: value axis on the left.
    private func plot(top: Double) -> String {
        let (W, H, font, glyph) = (ChartLayout.width, ChartLayout.height, ChartLayout.font, ChartLayout.glyph)
        var body = ""

        // The value axis.
        let values = series.flatMap(\.values).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if isBars {
            // Bars start at 0; a negative bar's value label goes under it, so leave room there.
            if low < 0 { low -= (max(high, 0) - low) * 0.08 }
            low = min(low, 0); high = max(high, 0)
        }
        let ticks = Ticks(low: low, high: high)
        let tickWidth = ticks.values.map { Double(ticks.label($0).count) * glyph }.max() ?? 0
        let left = 6 + tickWidth + (yLabel.isEmpty ? 0 : font + 8)

        // The category or step axis (bottom).
        let bottom = font + 10 + (xLabel.isEmpty ? 0 : font + 8)
        let plot = (x0: left, x1: W - (isBars ? 8 : 16), y0: top + 6, y1: H - bottom)
        func y(_ value: Double) -> Double {
            plot.y1 - (value - ticks.low) / (ticks.high - ticks.low) * (plot.y1 - plot.y0)
        }

        // Grid lines and value ticks.
        for value in ticks.values {
            let position = y(value)
            body += "<line x1=\"\(n(plot.x0))\" x2=\"\(n(plot.x1))\" y1=\"\(n(position))\" y2=\"\(n(position))\" stroke=\"currentColor\" stroke-opacity=\"\(value == 0 ? ".45" : ".13")\"/>"
            body += text(ticks.label(value), x: plot.x0 - 6, y: position + 4, attributes: "text-anchor=\"end\" fill-opacity=\".72\"")
        }
        if !yLabel.isEmpty {
            let middle = (plot.y0 + plot.y1) / 2
            body += text(yLabel, x: font, y: middle, attributes: "text-anchor=\"middle\" fill-opacity=\".72\" transform=\"rotate(-90 \(n(font)) \(n(middle)))\"")
        }
        if !xLabel.isEmpty {
            body += text(xLabel, x: (plot.x0 + plot.x1) / 2, y: H - 4, attributes: "text-anchor=\"middle\" fill-opacity=\".72\"")
        }
        body += "<line x1=\"\(n(plot.x0))\" x2=\"\(n(plot.x1))\" y1=\"\(n(plot.y1))\" y2=\"\(n(plot.y1))\" stroke=\"currentColor\" stroke-opacity=\".45\"/>"

        switch kind {
        case .lines:
            // Steps 1…steps span the plot; ticks at round step numbers inside it.
            let steps = max(series.map(\.values.count).max() ?? 1, 1)
            let axis = Ticks(low: 1, high: Double(max(steps, 2)), whole: true)
            func x(_ step: Double) -> Double {
                steps == 1 ? (plot.x0 + plot.x1) / 2 : plot.x0 + (step - 1) / Double(steps - 1) * (plot.x1 - plot.x0)
            }
            for value in axis.values where value >= 1 && value <= Double(steps) {
                body += "<line x1=\"\(n(x(value)))\" x2=\"\(n(x(value)))\" y1=\"\(n(plot.y1))\" y2=\"\(n(plot.y1 + 4))\" stroke=\"currentColor\" stroke-opacity=\".45\"/>"
                body += text(axis.label(value), x: x(value), y: plot.y1 + font + 5, attributes: "text-anchor=\"middle\" fill-opacity=\".72\"")
            }
            for (index, one) in series.enumerated() {
                // Runs of finite values, each one polyline (a single point is a dot).
                var runs: [[(Double, Double)]] = [[]]
                for (step, value) in one.values.enumerated() {
                    if value.isFinite { runs[runs.count - 1].append((x(Double(step + 1)), y(value))) }
                    else if !runs[runs.count - 1].isEmpty { runs.append([]) }
                }
                for run in runs where !run.isEmpty {
                    if run.count == 1 {
                        body += "<circle cx=\"\(n(run[0].0))\" cy=\"\(n(run[0].1))\" r=\"2.5\" style=\"fill: \(colour(index))\"/>"
                    } else {
                        let points = run.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                        body += "<polyline points=\"\(points)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\" style=\"stroke: \(colour(index))\"><title>\(escape(one.name))</title></polyline>"
                    }
                }
            }
        case let .bars(labels):
            let group = (plot.x1 - plot.x0) / Double(labels.count)
            let barWidth = min(group * 0.78 / Double(series.count), series.count == 1 ? 64 : 40)
            let labelValues = series.count * labels.count <= 24 && barWidth >= 16
            for (position, label) in labels.enumerated() {
                let centre = plot.x0 + group * (Double(position) + 0.5)
                let start = centre - barWidth * Double(series.count) / 2
                for (index, value) in finiteValues(at: position) {
                    let (a, b) = (y(max(value, 0)), y(min(value, 0)))
                    let left = start + Double(index) * barWidth
                    body += bar(x: left + 1, y: a, width: barWidth - 2, height: max(b - a, 0.5),
                                series: index, label: label, value: value)
                    if labelValues {
                        let above = value >= 0 ? a - 4 : b + 11
                        body += text(Ticks.compact(value), x: left + barWidth / 2, y: above,
                                     attributes: "text-anchor=\"middle\" font-size=\"10.5\" fill-opacity=\".8\"")
                    }
                }
                body += text(label, x: centre, y: plot.y1 + font + 5, attributes: "text-anchor=\"middle\" fill-opacity=\".72\"")
            }
        }

        return body
    }

    /// Bars lying down, one row each, labels on the left, value axis at the bottom.
    private func horizontalBars(_ labels: [String], top: Double) -> String {
        let (W, H, font, glyph) = (ChartLayout.width, height, ChartLayout.font, ChartLayout.glyph)
        var body = ""
        let values = series.flatMap(\.values).filter(\.isFinite)
        var low = min(values.min() ?? 0, 0)
        let high = max(values.max() ?? 1, 0)
        if low < 0 { low -= (high - low) * 0.12 }   // room for a negative bar's value label
        let ticks = Ticks(low: low, high: high)
        let labelWidth = min((labels.map { Double($0.count) * glyph }.max() ?? 0) + 10, W * 0.45)
        let bottom = font + 10 + (yLabel.isEmpty ? 0 : font + 8)
        let plot = (x0: labelWidth, x1: W - 34, y0: top + 4, y1: H - bottom)
        func x(_ value: Double) -> Double {
            plot.x0 + (value - ticks.low) / (ticks.high - ticks.low) * (plot.x1 - plot.x0)
        }
        for value in ticks.values {
            let position = x(value)
            body += "<line x1=\"\(n(position))\" x2=\"\(n(position))\" y1=\"\(n(plot.y0))\" y2=\"\(n(plot.y1))\" stroke=\"currentColor\" stroke-opacity=\"\(value == 0 ? ".45" : ".13")\"/>"
            body += text(ticks.label(value), x: position, y: plot.y1 + font + 4, attributes: "text-anchor=\"middle\" fill-opacity=\".72\"")
        }
        if !yLabel.isEmpty {
            body += text(yLabel, x: (plot.x0 + plot.x1) / 2, y: H - 4, attributes: "text-anchor=\"middle\" fill-opacity=\".72\"")
        }
        let barHeight = (groupHeight - 8) / Double(series.count)
        for (position, label) in labels.enumerated() {
            let groupTop = plot.y0 + Double(position) * groupHeight + 4
            let fits = Int((labelWidth - 10) / glyph)
            let shown = label.count > fits ? String(label.prefix(max(fits - 1, 1))) + "…" : label
            body += text(shown, x: plot.x0 - 8, y: groupTop + (groupHeight - 8) / 2 + 4,
                         attributes: "text-anchor=\"end\" fill-opacity=\".8\"")
            for (index, value) in finiteValues(at: position) {
                let (a, b) = (x(min(value, 0)), x(max(value, 0)))
                let y = groupTop + Double(index) * barHeight
                body += bar(x: a, y: y + 1, width: max(b - a, 0.5), height: barHeight - 2,
                            series: index, label: label, value: value)
                body += text(Ticks.compact(value), x: value >= 0 ? b + 4 : a - 4, y: y + barHeight / 2 + 3.5,
                             attributes: "text-anchor=\"\(value >= 0 ? "start" : "end")\" font-size=\"10.5\" fill-opacity=\".8\"")
            }
        }
        return body
    }

    private var isBars: Bool { if case .bars = kind { return true } else { return false } }

    /// Each series' value at `position` (one label's group of bars), skipping values that are not finite.
    private func finiteValues(at position: Int) -> [(series: Int, value: Double)] {
        series.indices.map { ($0, series[$0].values[position]) }.filter { $0.value.isFinite }
    }

    /// One bar in series `index`'s colour, its tooltip naming the label, the series and the value.
    private func bar(x: Double, y: Double, width: Double, height: Double, series index: Int, label: String,
                     value: Double) -> String {
        let name = series[index].name
        return "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" rx=\"1.5\" style=\"fill: \(colour(index))\"><title>\(escape(label))\(name.isEmpty ? "" : " · " + escape(name)): \(Ticks.compact(value))</title></rect>"
    }

    private func colour(_ index: Int) -> String {
        let slot = index % ChartLayout.fallbackColours.count
        return "var(--chart-\(slot + 1), \(ChartLayout.fallbackColours[slot]))"
    }

    private func text(_ content: String, x: Double, y: Double, attributes: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\"\(attributes.isEmpty ? "" : " " + attributes)>\(escape(content))</text>"
    }
}

/// A coordinate with at most one decimal (deterministic, short).
private func n(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
}

private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// About five round tick values (multiples of 1, 2 or 5 × 10ᵏ) covering low…high.
struct Ticks {
    let low: Double, high: Double, step: Double

    /// - Parameter whole: ticks at whole numbers only (steps).
    init(low: Double, high: Double, whole: Bool = false) {
        var (low, high) = (low, high)
        if high - low < 1e-12 * max(abs(low), abs(high), 1) {
            let pad = max(abs(low) * 0.1, 1e-3)
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude
        step = whole ? max(nice.rounded(), 1) : nice
        self.low = (low / step).rounded(.down) * step
        self.high = (high / step).rounded(.up) * step
    }

    var values: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    func label(_ value: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", abs(value) < step / 2 ? 0 : value)
        return text
    }

    /// At most three significant digits without trailing zeros, for bar values (`0.95`, `12.3`, `1200`).
    static func compact(_ value: Double) -> String {
        if value == 0 { return "0" }
        let digits = min(max(0, 2 - Int(log10(abs(value)).rounded(.down))), 4)
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
