/// A group of consecutive channels of one layer rendered in one batch.
public struct AtlasBatch: Hashable, Sendable, CustomStringConvertible {
    public let layer: String
    public let channels: Range<Int>

    public init(layer: String, channels: Range<Int>) {
        self.layer = layer
        self.channels = channels
    }

    public var description: String { "\(layer)[\(channels.lowerBound)…\(channels.upperBound - 1)]" }
}

/// Which batches exist and which shard renders each.
///
/// A layer's channels are cut into batches of `batchSize` consecutive channels from channel 0
/// (the last one shorter), so a batch's members depend only on the layer and the recipe. Batches
/// are numbered across the layers in order and dealt round-robin: shard `i` of `n` takes every
/// batch whose number is `i` modulo `n`. Every layer's cost is spread over all shards.
///
/// ```swift
/// let plan = AtlasPlan(layers: [("_blocks.3", 40)], batchSize: 8)
/// plan.batches(for: Shard(index: 1, count: 2))   // _blocks.3[8…15], _blocks.3[24…31]
/// ```
public struct AtlasPlan: Sendable {
    /// The layers in order, with their channel counts.
    public let layers: [(name: String, channels: Int)]
    public let batches: [AtlasBatch]

    public init(layers: [(name: String, channels: Int)], batchSize: Int) {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        self.layers = layers
        batches = layers.flatMap { layer in
            stride(from: 0, to: layer.channels, by: batchSize).map {
                AtlasBatch(layer: layer.name, channels: $0..<min($0 + batchSize, layer.channels))
            }
        }
    }

    /// The batches shard `shard` renders.
    public func batches(for shard: Shard) -> [AtlasBatch] {
        batches.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }

    /// Channels over all layers.
    public var channelCount: Int { layers.reduce(0) { $0 + $1.channels } }
}
