import XCTest
import Tensors
@testable import FeatureVis

final class ColourMapTests: XCTestCase {
    func testEndsAndMiddleAreTheTablesValues() {
        // matplotlib's 256-entry viridis: entry 0 (0.267, 0.005, 0.329), entry 128 (0.128, 0.567, 0.551),
        // entry 255 (0.993, 0.906, 0.144).
        assertClose(ColourMap.viridis.colour(at: 0), [0.267, 0.005, 0.329], accuracy: 4e-3)
        assertClose(ColourMap.viridis.colour(at: 128 / 255), [0.128, 0.567, 0.551], accuracy: 6e-3)
        assertClose(ColourMap.viridis.colour(at: 1), [0.993, 0.906, 0.144], accuracy: 4e-3)
        assertClose(ColourMap.magma.colour(at: 0), [0.0015, 0.0005, 0.0139], accuracy: 4e-3)
        assertClose(ColourMap.magma.colour(at: 1), [0.987, 0.991, 0.750], accuracy: 4e-3)
        // Out of range clamps; halfway between stops is their average.
        XCTAssertEqual(ColourMap.viridis.colour(at: -3), ColourMap.viridis.colour(at: 0))
        XCTAssertEqual(ColourMap.viridis.colour(at: 7), ColourMap.viridis.colour(at: 1))
        let a = ColourMap.viridis.stops[3], b = ColourMap.viridis.stops[4]
        assertClose(ColourMap.viridis.colour(at: 0.35), (0..<3).map { (a[$0] + b[$0]) / 2 }, accuracy: 1e-6)
    }

    func testLightnessRisesMonotonically() {
        // What makes the maps perceptual: brighter value, brighter colour, with no plateaus.
        for map in [ColourMap.viridis, ColourMap.magma] {
            let luma = (0...100).map { i -> Float in
                let c = map.colour(at: Float(i) / 100)
                return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
            }
            for (x, y) in zip(luma, luma.dropFirst()) { XCTAssertGreaterThan(y, x, map.name) }
        }
    }

    func testImageMapsMinimumToMaximum() {
        let plane = Tensor(shape: [1, 1, 1, 3], scalars: [2, 4, 3])
        let image = ColourMap.viridis.image(plane)
        XCTAssertEqual(image.shape, [1, 3, 1, 3])
        let pixel = { (p: Int) in (0..<3).map { image.scalars[$0 * 3 + p] } }
        XCTAssertEqual(pixel(0), ColourMap.viridis.colour(at: 0))
        XCTAssertEqual(pixel(1), ColourMap.viridis.colour(at: 1))
        XCTAssertEqual(pixel(2), ColourMap.viridis.colour(at: 0.5))
        // A fixed range, and a flat plane.
        let fixed = ColourMap.magma.image(Tensor(shape: [1, 2], scalars: [0, 5]), range: 0...10)
        XCTAssertEqual([fixed.scalars[1], fixed.scalars[3], fixed.scalars[5]], ColourMap.magma.colour(at: 0.5))
        let flat = ColourMap.magma.image(Tensor(shape: [2, 2], repeating: 1))
        XCTAssertEqual(Array(flat.scalars[0..<4]), Array(repeating: ColourMap.magma.stops[0][0], count: 4))
    }
}
