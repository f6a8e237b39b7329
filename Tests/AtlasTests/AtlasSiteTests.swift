import XCTest
import FeatureVis
import Tensors
@testable import Atlas

/// The merge step on synthetic channels (no rendering): pages, links, sorting data, refusals.
final class AtlasSiteTests: XCTestCase {
    private let recipe = AtlasRecipe(steps: 3, size: 32, batch: 4, patches: 1, thumbnail: 16)

    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// An atlas of `layers` whose channel c has activation ratio c + 1 and robustness 1 − c/100.
    private func atlas(_ layers: [(name: String, channels: Int)], skip: (String, Int)? = nil) throws -> URL {
        let folder = try temporaryFolder()
        let store = AtlasStore(root: folder)
        try store.prepare(model: "efficientnet-lite0", recipe: recipe, layers: layers, machineCode: "test")
        for layer in layers {
            for c in 0..<layer.channels where !(skip?.0 == layer.name && skip?.1 == c) {
                let metrics = QualityMetrics(objective: nil, activation: Float(c + 1), naturalBest: 1,
                                             robustness: 1 - Float(c) / 100, highFrequencyShare: 0.1, batchSimilarity: nil)
                var patch = NaturalPatch(photo: "cat.png", top: 1, left: 2, side: 8, activation: 0.5)
                patch.image = Tensor(shape: [1, 3, 8, 8], repeating: 0.25)
                try store.write(RenderedChannel(layer: layer.name, channel: c, image: Tensor(shape: [1, 3, 32, 32], repeating: Float(c) / 10),
                                                metrics: metrics, patches: [patch]), thumbnail: recipe.thumbnail)
            }
        }
        return folder
    }

    private func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    func testMergeWritesIndexGridsAndChannelPagesWithNeighbourLinks() throws {
        let site = try temporaryFolder()
        let summary = try AtlasSite(atlas: try atlas([(name: "_blocks.10", channels: 3), (name: "_blocks.2", channels: 5)]), site: site).write()
        XCTAssertEqual(summary, [
            AtlasSite.LayerSummary(layer: "_blocks.2", channels: 5, medianActivationRatio: 3, medianRobustness: 1 - Float(2) / 100),
            AtlasSite.LayerSummary(layer: "_blocks.10", channels: 3, medianActivationRatio: 2, medianRobustness: 1 - Float(1) / 100),
        ])
        let atlasFolder = site.appendingPathComponent("atlas")
        let index = try read(atlasFolder.appendingPathComponent("index.html"))
        // Numeric layer order: _blocks.2 before _blocks.10.
        XCTAssertLessThan(index.range(of: "_blocks.2.html")!.lowerBound, index.range(of: "_blocks.10.html")!.lowerBound)

        let grid = try read(atlasFolder.appendingPathComponent("_blocks.2.html"))
        for c in 0..<5 {
            XCTAssertTrue(grid.contains("<li data-channel=\"\(c)\" data-ratio=\"\(Float(c + 1))\" data-robustness=\"\(1 - Float(c) / 100)\">"), "channel \(c)")
            XCTAssertTrue(grid.contains("src=\"_blocks.2/\(c)/thumbnail.png\" loading=\"lazy\""))
        }
        XCTAssertTrue(grid.contains("data-key=\"ratio\"") && grid.contains("data-key=\"robustness\"") && grid.contains("<script>"))
        XCTAssertTrue(grid.contains("href=\"_blocks.10.html\""), "link to the next layer")
        XCTAssertFalse(grid.contains("http://") || grid.contains("https://"), "no external resources")

        let page = try read(atlasFolder.appendingPathComponent("_blocks.2/4.html"))
        XCTAssertTrue(page.contains("href=\"3.html\" rel=\"prev\""))
        XCTAssertFalse(page.contains("rel=\"next\""), "channel 4 is the layer's last")
        XCTAssertTrue(page.contains("href=\"../_blocks.10/2.html\""), "the next layer's nearest channel (it has 3)")
        XCTAssertTrue(page.contains("src=\"4/visualization.png\"") && page.contains("src=\"4/patch-1.png\""))
        XCTAssertTrue(page.contains("<tr><th>activation ratio</th><td>5.000</td></tr>"))
        for name in ["visualization.png", "thumbnail.png", "patch-1.png"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: atlasFolder.appendingPathComponent("_blocks.2/4/\(name)").path), name)
        }
        XCTAssertEqual(AtlasSite.channelPage(layer: "_blocks.2", channel: 4), "atlas/_blocks.2/4.html")
    }

    func testMergeRefusesAnIncompleteAtlasAndKeepsTheOldPages() throws {
        let site = try temporaryFolder()
        try AtlasSite(atlas: try atlas([(name: "_blocks.0", channels: 2)]), site: site).write()
        let before = try read(site.appendingPathComponent("atlas/index.html"))
        let partial = try atlas([(name: "_blocks.1", channels: 4)], skip: ("_blocks.1", 2))
        XCTAssertThrowsError(try AtlasSite(atlas: partial, site: site).write()) { error in
            XCTAssertEqual(error as? AtlasError, .incomplete(folder: partial.path, missing: ["_blocks.1:2"]))
        }
        XCTAssertEqual(try read(site.appendingPathComponent("atlas/index.html")), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: site.path), ["atlas"], "no temporary left behind")
    }
}

final class AtlasLinksTests: XCTestCase {
    func testMentionsLinkOnlyToChannelPagesThatExist() throws {
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-links-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("atlas/_blocks.8"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: site) }
        try Data("<!doctype html>".utf8).write(to: site.appendingPathComponent("atlas/_blocks.8/3.html"))
        let links = AtlasLinks(site: site)
        XCTAssertEqual(links.page(for: "_blocks.8:3"), "atlas/_blocks.8/3.html")
        for text in ["_blocks.8:4", "_blocks.9:3", "_blocks.8", "_blocks.8:", ":3", "_blocks.8:-1", "../x:3", "let x = a:3"] {
            XCTAssertNil(links.page(for: text), text)
        }
    }
}

final class AtlasStoreTests: XCTestCase {
    func testSweepRemovesOnlyStagingFoldersOfDeadProcessesOnThisHost() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("atlas-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let layer = root.appendingPathComponent("_blocks.0")
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let names = [".0003~\(AtlasStore.host)~\(finished.processIdentifier)",   // killed run: swept
                     ".0004~\(AtlasStore.host)~\(getpid())",                      // live (this process): kept
                     ".0005~another-host~\(finished.processIdentifier)",          // other machine: kept
                     "0006"]                                                      // a finished channel: kept
        for name in names { try FileManager.default.createDirectory(at: layer.appendingPathComponent(name), withIntermediateDirectories: true) }
        AtlasStore(root: root).sweepAbandoned(layer: "_blocks.0")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layer.path).sorted(), Array(names.dropFirst()).sorted())
    }
}
