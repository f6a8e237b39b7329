import Foundation

/// Where a shard is, reported after every batch it finishes or skips.
public struct AtlasProgress: Sendable {
    /// Channels of this shard done so far (rendered now or found finished).
    public let done: Int
    /// Channels this shard owns.
    public let total: Int
    /// Channels rendered by this run (not skipped).
    public let rendered: Int
    public let elapsedSeconds: Double
    /// The batch just handled.
    public let batch: AtlasBatch
    public let skipped: Bool

    /// Rendered channels per minute in this run (nil before the first render).
    public var channelsPerMinute: Double? {
        rendered > 0 && elapsedSeconds > 0 ? Double(rendered) / elapsedSeconds * 60 : nil
    }

    /// Seconds left at the current rate.
    public var secondsLeft: Double? { channelsPerMinute.map { Double(total - done) / $0 * 60 } }

    /// `shard 1/3: 16/48 channels · 4.2 channels/min · 7 min 36 s left · _blocks.3[8…15]`
    public func line(shard: Shard) -> String {
        var parts = ["shard \(shard): \(done)/\(total) channels"]
        if let rate = channelsPerMinute { parts.append(String(format: "%.1f channels/min", rate)) }
        if let left = secondsLeft { parts.append(Self.duration(left) + " left") }
        parts.append("\(batch)\(skipped ? " already done" : "")")
        return parts.joined(separator: " · ")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
    }
}

/// Renders one shard of a plan into a store: every batch of the shard whose channels are not all
/// finished, in plan order. Returns the number of channels rendered.
///
/// ```swift
/// try renderShard(plan.batches(for: shard), with: renderer, into: store) { print($0.line(shard: shard)) }
/// ```
public func renderShard(_ batches: [AtlasBatch], with renderer: AtlasRenderer, into store: AtlasStore,
                        progress: (AtlasProgress) -> Void = { _ in }) throws -> Int {
    let total = batches.reduce(0) { $0 + $1.channels.count }
    let start = Date()
    var done = 0, rendered = 0
    for layer in Set(batches.map(\.layer)) { store.sweepAbandoned(layer: layer) }
    for batch in batches {
        let missing = batch.channels.filter { !store.isFinished(layer: batch.layer, channel: $0) }
        if !missing.isEmpty {
            // The whole batch is rendered even if only some channels are missing: its members fix its bits.
            for channel in try renderer.render(batch) where missing.contains(channel.channel) {
                try store.write(channel, thumbnail: renderer.recipe.thumbnail)
            }
            rendered += missing.count
        }
        done += batch.channels.count
        progress(AtlasProgress(done: done, total: total, rendered: rendered,
                               elapsedSeconds: Date().timeIntervalSince(start), batch: batch, skipped: missing.isEmpty))
    }
    return rendered
}
