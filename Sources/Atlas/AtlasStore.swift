import FeatureVis
import Foundation
import Models
import Notebook
import Tensors

/// What `atlas.json` at the top of an atlas folder records: the model, the recipe, the machine
/// code that renders it and every layer rendered into the folder with its channel count.
public struct AtlasManifest: Codable, Equatable, Sendable {
    public var model: String
    public var recipe: AtlasRecipe
    /// The kernel build and OpenBLAS core of the first shard (`KernelPath.machineCode`):
    /// every shard must run the same, since the bits depend on it. Nil in atlases from before it
    /// was recorded.
    public var machineCode: String?
    /// Layer name → channel count, for every layer any run asked for.
    public var layers: [String: Int]
}

/// What a channel's `metrics.json` holds.
public struct ChannelRecord: Codable, Equatable, Sendable {
    public let layer: String
    public let channel: Int
    public let metrics: QualityMetrics
    /// `patch-1.png`, `patch-2.png`, … in this order.
    public let patches: [NaturalPatch]
}

/// The atlas folder: `atlas.json`, then one folder per channel, `LAYER/CCCC/` (channel
/// zero-padded to four digits) holding `visualization.png`, `thumbnail.png`, `metrics.json` and
/// `patch-K.png`.
///
/// A channel folder is filled under a temporary name beside it and renamed into place, so it is
/// either absent or complete: a killed shard leaves no half-written channel, and a rerun renders
/// exactly the channels whose folder is missing. Shards of one job may share the folder (a
/// shared file system): they write disjoint channels, and the manifest's update is serialized by
/// a `flock(2)` on the folder.
public struct AtlasStore: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public static let manifestName = "atlas.json"

    public func folder(layer: String, channel: Int) -> URL {
        root.appendingPathComponent(layer).appendingPathComponent(String(format: "%04d", channel))
    }

    public func isFinished(layer: String, channel: Int) -> Bool {
        FileManager.default.fileExists(atPath: folder(layer: layer, channel: channel).appendingPathComponent("metrics.json").path)
    }

    /// Records the run's model, recipe, machine code and layers in `atlas.json`, adding the layers
    /// to those already there.
    /// - Throws: ``AtlasError/recipeMismatch(folder:stored:requested:)`` when the folder holds an
    ///   atlas of another recipe or model, ``AtlasError/machineCodeMismatch(folder:stored:current:)``
    ///   when it was started on other machine code; ``AtlasError/cannotWrite(_:_:)``.
    public func prepare(model: String, recipe: AtlasRecipe, layers: [(name: String, channels: Int)],
                        machineCode: String) throws {
        try createFolder(root)
        let fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtlasError.cannotWrite(root.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AtlasError.cannotWrite(root.path, String(cString: strerror(errno))) }
        }
        var manifest = AtlasManifest(model: model, recipe: recipe, machineCode: machineCode, layers: [:])
        var before: AtlasManifest?
        if FileManager.default.fileExists(atPath: manifestURL.path) {
            let stored = try self.manifest()
            before = stored
            guard stored.model == model, stored.recipe == recipe else {
                throw AtlasError.recipeMismatch(folder: root.path, stored: describe(stored.model, stored.recipe),
                                                requested: describe(model, recipe))
            }
            if let code = stored.machineCode, code != machineCode {
                throw AtlasError.machineCodeMismatch(folder: root.path, stored: code, current: machineCode)
            }
            manifest = stored
            manifest.machineCode = machineCode
        }
        for layer in layers { manifest.layers[layer.name] = layer.channels }
        if manifest != before {
            try AtomicFiles.write(try Self.encode(manifest), to: manifestURL)
        }
    }

    /// The folder's `atlas.json`.
    public func manifest() throws -> AtlasManifest {
        try decode(AtlasManifest.self, from: manifestURL)
    }

    /// A finished channel's `metrics.json`.
    public func record(layer: String, channel: Int) throws -> ChannelRecord {
        try decode(ChannelRecord.self, from: folder(layer: layer, channel: channel).appendingPathComponent("metrics.json"))
    }

    /// Writes a rendered channel's folder atomically; a folder some other process finished first
    /// is kept (its bytes are the same).
    public func write(_ channel: RenderedChannel, thumbnail: Int) throws {
        let target = folder(layer: channel.layer, channel: channel.channel)
        try createFolder(target.deletingLastPathComponent())
        let staging = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent)~\(Self.host)~\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        try createFolder(staging)
        do {
            let thumb = resizeBilinear(Tape().constant(channel.image), height: thumbnail, width: thumbnail).value
            try put(try PNG.encode(channel.image), staging, "visualization.png")
            try put(try PNG.encode(thumb), staging, "thumbnail.png")
            for (k, patch) in channel.patches.enumerated() {
                guard let image = patch.image else { continue }
                try put(try PNG.encode(image), staging, "patch-\(k + 1).png")
            }
            let record = ChannelRecord(layer: channel.layer, channel: channel.channel, metrics: channel.metrics,
                                       patches: channel.patches)
            try put(try Self.encode(record), staging, "metrics.json")
            if rename(staging.path, target.path) != 0 {
                guard errno == EEXIST || errno == ENOTEMPTY, isFinished(layer: channel.layer, channel: channel.channel) else {
                    throw AtlasError.cannotWrite(target.path, String(cString: strerror(errno)))
                }
                try? FileManager.default.removeItem(at: staging)
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Removes the staging folders (`.CCCC~HOST~PID`) that runs killed on this host left in
    /// `layer`'s folder; those of live processes and of other hosts sharing the folder stay.
    public func sweepAbandoned(layer: String) {
        let folder = root.appendingPathComponent(layer)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(".") {
            let parts = name.split(separator: "~", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1] == Self.host, let pid = Int32(parts[2]) else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        }
    }

    static let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "~", with: "-")

    /// Sorted keys, pretty-printed, a final newline: the same record gives the same bytes.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    private var manifestURL: URL { root.appendingPathComponent(Self.manifestName) }

    private func describe(_ model: String, _ r: AtlasRecipe) -> String {
        "\(model), \(r.steps) steps, \(r.size) px, batch \(r.batch), lr \(r.learningRate), seed \(r.seed), \(r.patches) patches, thumbnail \(r.thumbnail)"
    }

    private func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw AtlasError.unreadable(url.path, "the file is missing or unreadable") }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw AtlasError.unreadable(url.path, "not a valid \(type): \(error)")
        }
    }

    private func put(_ data: Data, _ folder: URL, _ name: String) throws {
        let url = folder.appendingPathComponent(name)
        do { try data.write(to: url) } catch { throw AtlasError.cannotWrite(url.path, "\(error.localizedDescription)") }
    }

    private func createFolder(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw AtlasError.cannotWrite(url.path, "cannot create the folder: \(error.localizedDescription)")
        }
    }
}
