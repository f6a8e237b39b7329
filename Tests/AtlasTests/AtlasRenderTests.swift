import XCTest
import FeatureVis
import Models
import Tensors
@testable import Atlas

/// Renders real atlases of EfficientNet-Lite0's `_blocks.0` (16 channels) with a tiny recipe.
/// The pretrained weights are required: a missing file fails these tests (scripts/setup.sh).
final class AtlasRenderTests: XCTestCase {
    nonisolated(unsafe) private static let model = Result { try EfficientNetLite0.pretrained() }
    private let recipe = AtlasRecipe(steps: 3, size: 32, batch: 6, patches: 2, thumbnail: 16)
    private let layers = [(name: "_blocks.0", channels: 16)]

    private func photos() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../data/photos").standardized.path
    }

    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Renders `shards` one after another into a fresh folder; returns it.
    private func renderAtlas(shards n: Int) throws -> (URL, [Int]) {
        let folder = try temporaryFolder()
        let model = try Self.model.get()
        let store = AtlasStore(root: folder)
        try store.prepare(model: model.name, recipe: recipe, layers: layers, machineCode: KernelPath.machineCode)
        let renderer = try AtlasRenderer(model: model, recipe: recipe, photosDirectory: photos())
        let plan = AtlasPlan(layers: layers, batchSize: recipe.batch)
        let counts = try (0..<n).map { try renderShard(plan.batches(for: Shard(index: $0, count: n)), with: renderer, into: store) }
        return (folder, counts)
    }

    /// Every file under `folder`, by relative path.
    private func files(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { out[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        }
        return out
    }

    func testEveryChannelHasTheSameBytesWhateverTheShardCount() throws {
        let (one, oneCounts) = try renderAtlas(shards: 1)
        let (three, threeCounts) = try renderAtlas(shards: 3)
        XCTAssertEqual(oneCounts, [16])
        XCTAssertEqual(threeCounts, [6, 6, 4])   // batches 0…5, 6…11, 12…15
        let a = try files(one), b = try files(three)
        XCTAssertEqual(a.count, 1 + 16 * 5, "atlas.json + per channel: visualization, thumbnail, metrics, 2 patches")
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (path, data) in a { XCTAssertEqual(data, b[path], "\(path) differs between 1 and 3 shards") }
        // The channels really differ from each other (each image maximizes its own channel).
        XCTAssertNotEqual(a["_blocks.0/0000/visualization.png"], a["_blocks.0/0001/visualization.png"])
    }

    func testARerunRendersOnlyMissingChannelsAndGivesTheSameBytes() throws {
        let (folder, _) = try renderAtlas(shards: 1)
        let before = try files(folder)
        let model = try Self.model.get()
        let store = AtlasStore(root: folder)
        let renderer = try AtlasRenderer(model: model, recipe: recipe, photosDirectory: photos())
        let plan = AtlasPlan(layers: layers, batchSize: recipe.batch)
        XCTAssertEqual(try renderShard(plan.batches, with: renderer, into: store), 0)
        try FileManager.default.removeItem(at: store.folder(layer: "_blocks.0", channel: 7))
        var lines: [String] = []
        XCTAssertEqual(try renderShard(plan.batches, with: renderer, into: store) { lines.append($0.line(shard: .whole)) }, 1)
        XCTAssertEqual(try files(folder), before)
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("shard 0/1: 6/16 channels") && lines[0].hasSuffix("already done"), lines[0])
        XCTAssertTrue(lines[1].contains("12/16 channels") && lines[1].contains("channels/min") && lines[1].contains("left"), lines[1])
    }

    func testAFolderOfAnotherRecipeIsRefused() throws {
        let folder = try temporaryFolder()
        let store = AtlasStore(root: folder)
        try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: layers, machineCode: "cpu A")
        try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: [(name: "_blocks.1", channels: 24)], machineCode: "cpu A")
        XCTAssertEqual(try store.manifest().layers, ["_blocks.0": 16, "_blocks.1": 24])
        var other = recipe
        other.steps += 1
        XCTAssertThrowsError(try store.prepare(model: "efficientnet-lite0", recipe: other, layers: layers, machineCode: "cpu A")) { error in
            XCTAssertTrue("\(error)".contains("4 steps") && "\(error)".contains("3 steps"), "\(error)")
        }
    }

    /// A shard on other machine code (another OpenBLAS core, say) would write channels whose bits
    /// differ from its siblings': it is refused before it renders, naming both.
    func testAFolderStartedOnOtherMachineCodeIsRefused() throws {
        let store = AtlasStore(root: try temporaryFolder())
        try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: layers, machineCode: "EPYC, avx512 kernels, core SkylakeX")
        XCTAssertEqual(try store.manifest().machineCode, "EPYC, avx512 kernels, core SkylakeX")
        XCTAssertThrowsError(try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: layers,
                                               machineCode: "EPYC, avx512 kernels, core Prescott")) { error in
            XCTAssertEqual(error as? AtlasError, .machineCodeMismatch(folder: store.root.path, stored: "EPYC, avx512 kernels, core SkylakeX",
                                                                      current: "EPYC, avx512 kernels, core Prescott"))
            XCTAssertTrue("\(error)".contains("OPENBLAS_CORETYPE"), "\(error)")
        }
        // An atlas from before the field existed adopts the first shard's.
        var manifest = try store.manifest()
        manifest.machineCode = nil
        try AtlasStore.encode(manifest).write(to: store.root.appendingPathComponent(AtlasStore.manifestName))
        try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: layers, machineCode: "EPYC, avx512 kernels, core Prescott")
        XCTAssertEqual(try store.manifest().machineCode, "EPYC, avx512 kernels, core Prescott")
    }

    func testStrongestPatchesAreTheChannelsTopPositionsAcrossPhotos() throws {
        let model = try Self.model.get()
        let patches = try PhotoPatches(network: model, directory: photos())
        let chosen = try patches.strongest(layer: "_blocks.3", channel: 5, count: 4)
        XCTAssertEqual(chosen.count, 4)
        XCTAssertEqual(chosen.map(\.activation), chosen.map(\.activation).sorted(by: >))
        // The first patch sits on the channel's maximum over every photo's activation map.
        var best = -Float.infinity
        for name in try FileManager.default.contentsOfDirectory(atPath: photos()) where name.hasSuffix(".png") {
            let photo = try PNG.read(photos() + "/" + name)
            let (h, w) = (photo.shape[2], photo.shape[3])
            let scale = 224.0 / Double(min(h, w))
            let resized = resizeBilinear(Tape().constant(photo), height: max(224, Int((Double(h) * scale).rounded())),
                                         width: max(224, Int((Double(w) * scale).rounded()))).value
            let map = try Measures.layerActivations(of: resized, network: model, layer: "_blocks.3")
            let plane = map.shape[2] * map.shape[3]
            best = max(best, map.scalars[5 * plane..<6 * plane].max()!)
        }
        XCTAssertEqual(chosen[0].activation, best)
        XCTAssertEqual(chosen[0].image?.shape, [1, 3, 48, 48])   // _blocks.3 has stride 8: 6 strides
    }

    /// `logits` has no map: each photo is one candidate (its class logit), cut as a central 160-px
    /// crop. Class 281 is "tabby cat": the cat photo comes first.
    func testStrongestPatchesOfTheClassifierAreOnePerPhoto() throws {
        let model = try Self.model.get()
        let chosen = try PhotoPatches(network: model, directory: photos()).strongest(layer: "logits", channel: 281, count: 3)
        XCTAssertEqual(chosen.count, 3)
        XCTAssertEqual(Set(chosen.map(\.photo)).count, 3, "one position per photo")
        XCTAssertEqual(chosen.map(\.activation), chosen.map(\.activation).sorted(by: >))
        XCTAssertEqual(chosen[0].photo, "chelsea.png")
        XCTAssertEqual(chosen[0].image?.shape, [1, 3, 160, 160])
    }
}
