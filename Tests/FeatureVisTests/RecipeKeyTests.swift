import XCTest
import Models
import Tensors
@testable import FeatureVis

/// A recipe's key names everything that decides a render: equal recipes share it, and changing
/// any one input — by as little as one unit in the last place — changes it.
final class RecipeKeyTests: XCTestCase {
    private func base() -> Recipe {
        Recipe(.channel("_blocks.8", 3) - 0.05 * .totalVariation(), from: .fourier(size: 32, seed: 1), steps: 16, seed: 2)
    }

    func testEqualRecipesShareTheirKey() {
        XCTAssertEqual(base().key, base().key)
        XCTAssertTrue(base().key.hasPrefix("render-1 objective=(channel(\"_blocks.8\",3,nil)-(0.05*totalVariation(\"image\",nil))) "
                                      + "image=image(fourier(1.0),true,sigmoid,1,32,32)#"),
                      base().key)
    }

    func testChangingAnyInputChangesTheKey() {
        let nextUp = Float(0.05).nextUp
        var variants: [(String, Recipe)] = []
        func variant(_ label: String, _ change: (inout Recipe) -> Void) {
            var r = base()
            change(&r)
            variants.append((label, r))
        }
        variant("channel") { $0.objective = .channel("_blocks.8", 4) - 0.05 * .totalVariation() }
        variant("layer") { $0.objective = .channel("_blocks.9", 3) - 0.05 * .totalVariation() }
        variant("weight by one ulp") { $0.objective = .channel("_blocks.8", 3) - nextUp * .totalVariation() }
        variant("batch item") { $0.objective = .channel("_blocks.8", 3, batch: 0) - 0.05 * .totalVariation() }
        variant("direction entry") { $0.objective = .direction("_blocks.8", [1, 2]) }
        variant("image seed") { $0.parameterization = .fourier(size: 32, seed: 2) }
        variant("image size") { $0.parameterization = .fourier(size: 33, seed: 1) }
        variant("decay power") { $0.parameterization = .fourier(size: 32, decayPower: 1.5, seed: 1) }
        variant("plain colour") { $0.parameterization = .fourier(size: 32, decorrelated: false, seed: 1) }
        variant("pixels") { $0.parameterization = .pixel(size: 32, seed: 1) }
        variant("fitted start") { $0.parameterization = $0.parameterization.fitted(to: Tensor(shape: [1, 3, 32, 32], repeating: 0.5)) }
        variant("learning rate by one ulp") { $0.optimizer = .adam(learningRate: nextUp) }
        variant("beta2") { $0.optimizer = .adam(learningRate: 0.05, beta2: 0.99) }
        variant("no transforms") { $0.transforms = [] }
        variant("rotation fill") { $0.transforms[3] = .randomRotate(degrees: Transform.standardAngles, fill: 0) }
        variant("one scale fewer") { $0.transforms[2] = .randomScale(Array(Transform.standardScales.dropLast())) }
        variant("steps") { $0.steps = 17 }
        variant("seed") { $0.seed = 3 }
        variant("resize") { $0.resizeToNetworkInput = false }
        variant("octaves") { $0.scales = .octaves(3, scale: 1.5) }
        variant("summed") { $0.scales = .summed(3, scale: 1.5) }
        variant("octave scale") { $0.scales = .octaves(3, scale: 1.4) }
        let keys = [base().key] + variants.map(\.1.key)
        XCTAssertEqual(Set(keys).count, keys.count, "every variant has its own key")
        for (label, r) in variants { XCTAssertNotEqual(r.key, base().key, label) }
    }

    /// Optimized parameters are part of the key, so continuing from a render's result is a new recipe.
    func testTheStartingParametersArePartOfTheKey() throws {
        let tiny = try TinyNet.load(from: RenderTests.tinyPath)
        let recipe = Recipe(.channel("features.4", 3), from: .fourier(size: 16, seed: 1), steps: 2)
        let result = try render(recipe, on: tiny)
        var next = recipe
        next.parameterization = result.parameterization
        XCTAssertNotEqual(next.key, recipe.key)
        XCTAssertEqual(recipe.key, Recipe(.channel("features.4", 3), from: .fourier(size: 16, seed: 1), steps: 2).key)
    }
}
