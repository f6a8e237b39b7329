import Atlas
import ArgumentParser
import FeatureVis
import Foundation
import Models
import Tensors

/// `fvbook atlas`: render every channel of some layers (one shard of them), or merge a finished
/// atlas into the site's pages.
struct AtlasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atlas",
        abstract: "Render an atlas of a model's channels (sharded), or merge one into the site.",
        discussion: """
            Each channel gets a folder in --out with its visualization, thumbnail, metrics and strongest \
            natural patches, written atomically; a rerun renders only the missing channels. The shard comes \
            from --shard I/N, else from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT (a Slurm array job), else \
            from JOB_COMPLETION_INDEX/JOB_COMPLETIONS (a Kubernetes Indexed Job), else the whole atlas. \
            A channel's bytes do not depend on the shard. `--merge DIR` writes DIR's pages into the site's atlas/ folder.
            """)

    @Option(help: "The network: \(ModelRegistry.names.joined(separator: ", ")).") var model = ModelRegistry.defaultName
    @Option(help: ArgumentHelp("Weights file (required for vgg16).", valueName: "path")) var weights: String?
    @Option(help: ArgumentHelp("Comma-separated layers, or `all` (every `_blocks.N` of the model).", valueName: "layers"))
    var layers = "all"
    @Option(help: "Optimization steps per batch.") var steps = AtlasRecipe.standard.steps
    @Option(help: "Image side in pixels.") var size = AtlasRecipe.standard.size
    @Option(help: "Channels rendered together in one batch (part of the recipe: changes the images).")
    var batch = AtlasRecipe.standard.batch
    @Option(help: "Seed mixed into every channel's seed.") var seed: UInt64 = 0
    @Option(help: "Natural patches per channel.") var patches = AtlasRecipe.standard.patches
    @Option(help: ArgumentHelp("The atlas folder (shared by all shards).", valueName: "dir")) var out = ".build/atlas"
    @Option(help: ArgumentHelp("This process's part: shard I of N (0-based).", valueName: "I/N")) var shard: String?
    @Option(help: ArgumentHelp("Folder of PNG photos for the activation ratio and the patches.", valueName: "dir"))
    var photos = "data/photos"
    @Option(help: ArgumentHelp("Merge the finished atlas in this folder into the site's pages instead of rendering.", valueName: "dir"))
    var merge: String?
    @Option(help: ArgumentHelp("The site folder that --merge writes atlas/ into.", valueName: "dir")) var site = "site"
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func run() throws {
        guard let merge else { return try render() }
        let layers = try AtlasSite(atlas: URL(fileURLWithPath: merge), site: URL(fileURLWithPath: site)).write()
        for l in layers {
            print("\(l.layer): \(l.channels) channels, median activation ratio \(AtlasSite.format(l.medianActivationRatio)), "
                  + "median robustness \(AtlasSite.format(l.medianRobustness))")
        }
        let channels = layers.reduce(0) { $0 + $1.channels }
        print("atlas: \(channels) channels of \(layers.count) layer\(layers.count == 1 ? "" : "s") → \(site)/atlas/index.html")
    }

    private func render() throws {
        let recipe = AtlasRecipe(steps: steps, size: size, batch: batch, seed: seed, patches: patches)
        let shard = try shard.map { try Shard(parsing: $0) } ?? Shard(environment: ProcessInfo.processInfo.environment) ?? .whole
        let model = try ModelRegistry.load(self.model, weights: weights)
        let names = layers == "all" ? model.layerNames.filter { $0.hasPrefix("_blocks.") } : layers.split(separator: ",").map(String.init)
        let layerList = try names.map { (name: $0, channels: try model.channels(of: $0)) }
        guard FileManager.default.fileExists(atPath: photos) else {
            throw AtlasError.unreadable(photos, "no photos folder (the activation ratio and patches need it; pass --photos)")
        }
        let store = AtlasStore(root: URL(fileURLWithPath: out))
        let machineCode = KernelPath.machineCode
        try store.prepare(model: model.name, recipe: recipe, layers: layerList, machineCode: machineCode)
        if !quiet {
            FileHandle.standardError.write(Data("shard \(shard) on \(ProcFile.cpuInfoField("model name")): \(machineCode) (core \(BLASCore.current.why))\n".utf8))
        }
        let renderer = try AtlasRenderer(model: model, recipe: recipe, photosDirectory: photos)
        let plan = AtlasPlan(layers: layerList, batchSize: recipe.batch)
        let mine = plan.batches(for: shard)
        let start = Date()
        let rendered = try renderShard(mine, with: renderer, into: store) { p in
            if !quiet { FileHandle.standardError.write(Data((p.line(shard: shard) + "\n").utf8)) }
        }
        let owned = mine.reduce(0) { $0 + $1.channels.count }
        print("atlas shard \(shard): \(rendered) channel\(rendered == 1 ? "" : "s") rendered, \(owned - rendered) already done, "
              + String(format: "%.1f s", Date().timeIntervalSince(start)) + " → \(out)")
    }
}
