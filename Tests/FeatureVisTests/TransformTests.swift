import TestSupport
import XCTest
import Tensors
@testable import FeatureVis

final class TransformTests: XCTestCase {
    /// 1×1×4×4 with values 1…16.
    let grid = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))

    private func apply(_ t: Transform, _ x: Tensor, seed: UInt64 = 0) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return t(Tape().constant(x), using: &rng).value
    }

    func testPadWithConstant() {
        let y = apply(.pad(1, value: 0.5), Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.scalars, [0.5, 0.5, 0.5, 0.5,
                                   0.5, 1, 2, 0.5,
                                   0.5, 3, 4, 0.5,
                                   0.5, 0.5, 0.5, 0.5])
    }

    func testCropIsTheWindowAtTheOffset() {
        let y = apply(.crop(top: 1, left: 2, height: 2, width: 2), grid)
        XCTAssertEqual(y.scalars, [7, 8, 11, 12])
    }

    func testJitterCropsAtEveryOffsetInBothDirections() {
        // jitter(2) on 4×4 gives 2×2 windows whose top-left corner is 0…2 on each axis.
        var seen = Set<[Float]>()
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let y = Transform.jitter(2)(Tape().constant(grid), using: &rng).value
            XCTAssertEqual(y.shape, [1, 1, 2, 2])
            seen.insert(y.scalars)
        }
        var windows = Set<[Float]>()
        for top in 0...2 { for left in 0...2 { windows.insert(apply(.crop(top: top, left: left, height: 2, width: 2), grid).scalars) } }
        XCTAssertEqual(seen, windows, "all 9 offsets, nothing else")
    }

    func testScaleIsPyTorchBilinearWithHalfPixelCentres() {
        // torch.nn.functional.interpolate([[1, 2], [3, 4]], size=(4, 4), mode='bilinear', align_corners=False)
        let y = apply(.scale(2), Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        assertClose(y.scalars, [1, 1.25, 1.75, 2,
                                1.5, 1.75, 2.25, 2.5,
                                2.5, 2.75, 3.25, 3.5,
                                3, 3.25, 3.75, 4])
        // Downscaling 4×4 by 0.5 averages the 2×2 blocks' centres.
        assertClose(apply(.scale(0.5), grid).scalars, [3.5, 5.5, 11.5, 13.5])
        // New side = round(scale · side): 0.9 · 10 = 9.
        XCTAssertEqual(apply(.scale(0.9), Tensor(zeros: [1, 3, 10, 10])).shape, [1, 3, 9, 9])
    }

    func testRotateByNinetyDegreesPermutesPixels() {
        let x3 = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        // Counter-clockwise as displayed: the right column becomes the top row.
        assertClose(apply(.rotate(degrees: 90), x3).scalars, [3, 6, 9, 2, 5, 8, 1, 4, 7], accuracy: 1e-6)
        assertClose(apply(.rotate(degrees: -90), x3).scalars, [7, 4, 1, 8, 5, 2, 9, 6, 3], accuracy: 1e-6)
        // Even size: the centre is between pixels, still a permutation.
        assertClose(apply(.rotate(degrees: 90), grid).scalars,
                    [4, 8, 12, 16, 3, 7, 11, 15, 2, 6, 10, 14, 1, 5, 9, 13], accuracy: 1e-6)
    }

    func testRotateByFortyFiveDegreesInterpolatesAndFills() {
        let x3 = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        let y = apply(.rotate(degrees: 45, fill: 0.5), x3)
        // Top-left output pixel reads the source at (x 1, y 1 − √2): 0.414 of the fill above the
        // image and 0.586 of pixel (0, 1) = 2.
        let f = Float(2 - 2.0.squareRoot())  // weight of row 0: 1 − (√2 − 1)
        XCTAssertEqual(y[0, 0, 0, 0], (1 - f) * 0.5 + f * 2, accuracy: 1e-5)
        XCTAssertEqual(y[0, 0, 1, 1], 5, accuracy: 1e-6, "the centre stays")
        // With zero fill the same pixel loses the fill's share.
        XCTAssertEqual(apply(.rotate(degrees: 45, fill: 0), x3)[0, 0, 0, 0], f * 2, accuracy: 1e-5)
    }

    func testRotateGradientByFiniteDifferences() {
        checkGradient([seededNormal([1, 2, 5, 6], seed: 1)]) { v in
            sampleBilinear(v[0], BilinearSampler.rotation(height: 5, width: 6, degrees: 17), fill: 0.5)
        }
        checkGradient([seededNormal([1, 2, 5, 4], seed: 2)]) { v in scaled(v[0], by: 1.1) }
    }

    func testStandardTransformsAreLucids() {
        XCTAssertEqual(Transform.standard.map(\.key), [
            "pad(12,0.5)", "jitter(8)", "randomScale(\(Transform.standardScales.keyText))",
            "randomRotate(\(Transform.standardAngles.keyText),0.5)", "jitter(4)"])
        // What the list does to a 32-px image: pad to 56, crop to 48, scale to round(48·s), crop 4.
        let sides = Set(Transform.standardScales.map { Int((48 * $0).rounded()) - 4 })
        let standard = Transform.compose(Transform.standard)
        for seed in 0..<12 {
            let side = apply(standard, seededUniform([1, 3, 32, 32], seed: 1), seed: UInt64(seed)).shape[2]
            XCTAssertTrue(sides.contains(side), "seed \(seed): side \(side) not in \(sides.sorted())")
        }
        assertClose(Transform.standardScales, [0.9, 0.92, 0.94, 0.96, 0.98, 1, 1.02, 1.04, 1.06, 1.08, 1.1], accuracy: 1e-6)
        XCTAssertEqual(Transform.standardAngles.count, 26)
        XCTAssertEqual(Transform.standardAngles.filter { $0 == 0 }.count, 6)
        XCTAssertEqual(Set(Transform.standardAngles), Set((-10...10).map(Double.init)))
    }

    func testComposeAppliesInOrderAndIsSeeded() {
        let t = Transform.compose([.pad(2, value: 0), .crop(top: 0, left: 0, height: 2, width: 2)])
        XCTAssertEqual(t.name, "pad(2, 0) → crop(0, 0, 2×2)")
        XCTAssertEqual(apply(t, grid).scalars, [0, 0, 0, 0])
        let standard = Transform.compose(Transform.standard)
        let image = seededUniform([1, 3, 32, 32], seed: 5)
        XCTAssertEqual(apply(standard, image, seed: 9), apply(standard, image, seed: 9))
        XCTAssertNotEqual(apply(standard, image, seed: 9), apply(standard, image, seed: 10))
        // 32 + 24 − 8 = 48, scaled by 0.9…1.1, minus 4.
        let side = apply(standard, image, seed: 9).shape[2]
        XCTAssertTrue((39...49).contains(side), "side \(side)")
    }

    // MARK: - Colour augmentation

    /// One pixel per channel of a 1×3×1×2 image: pixel 0 is (0.2, 0.5, 0.8), pixel 1 is (1, 0, 0.5).
    let twoPixels = Tensor(shape: [1, 3, 1, 2], scalars: [0.2, 1, 0.5, 0, 0.8, 0.5])

    func testColourIdentityLeavesTheImageAlone() {
        XCTAssertEqual(apply(.colour(brightness: 0, contrast: 1, saturation: 1), twoPixels), twoPixels)
    }

    func testBrightnessAddsAnOffset() {
        assertClose(apply(.colour(brightness: 0.25, contrast: 1, saturation: 1), twoPixels).scalars,
                    [0.45, 1.25, 0.75, 0.25, 1.05, 0.75], accuracy: 1e-6)
    }

    func testContrastScalesAroundMidGrey() {
        // 0.5 + 2 · (x − 0.5)
        assertClose(apply(.colour(brightness: 0, contrast: 2, saturation: 1), twoPixels).scalars,
                    [-0.1, 1.5, 0.5, -0.5, 1.1, 0.5], accuracy: 1e-6)
    }

    func testSaturationMixesWithLuma() {
        // Luma of pixel 0: 0.299·0.2 + 0.587·0.5 + 0.114·0.8 = 0.4445; of pixel 1: 0.299 + 0.057 = 0.356.
        let grey = apply(.colour(brightness: 0, contrast: 1, saturation: 0), twoPixels)
        assertClose(grey.scalars, [0.4445, 0.356, 0.4445, 0.356, 0.4445, 0.356], accuracy: 1e-6)
        // Saturation 2: l + 2 (x − l) = 2x − l.
        let vivid = apply(.colour(brightness: 0, contrast: 1, saturation: 2), twoPixels)
        assertClose(vivid.scalars, [-0.0445, 1.644, 0.5555, -0.356, 1.1555, 0.644], accuracy: 1e-6)
        // A grey pixel has nothing to saturate.
        let flat = Tensor(shape: [1, 3, 1, 1], scalars: [0.3, 0.3, 0.3])
        assertClose(apply(.colour(brightness: 0, contrast: 1, saturation: 1.7), flat).scalars, [0.3, 0.3, 0.3], accuracy: 1e-6)
    }

    func testColourAdjustmentsComposeInTheDocumentedOrder() {
        // saturation 0 → luma (0.4445), contrast 0.5 → 0.5 + 0.5·(0.4445 − 0.5) = 0.47225, + 0.1.
        let y = apply(.colour(brightness: 0.1, contrast: 0.5, saturation: 0), twoPixels)
        XCTAssertEqual(y[0, 0, 0, 0], 0.57225, accuracy: 1e-6)
        XCTAssertEqual(y[0, 2, 0, 0], 0.57225, accuracy: 1e-6)
        XCTAssertEqual(y[0, 1, 0, 1], 0.5 + 0.5 * (0.356 - 0.5) + 0.1, accuracy: 1e-6)
    }

    func testColourJitterDrawsFromTheSeedInItsRanges() {
        let image = seededUniform([2, 3, 4, 4], seed: 4)
        let jitter = Transform.colourJitter(brightness: 0.2, contrast: 0.3, saturation: 0.4)
        XCTAssertEqual(apply(jitter, image, seed: 1), apply(jitter, image, seed: 1))
        XCTAssertNotEqual(apply(jitter, image, seed: 1), apply(jitter, image, seed: 2))
        // The draw is the documented one: three uniforms in order, mapped to the ranges.
        var rng = SeededGenerator(seed: 1)
        let b = (2 * rng.nextUniform() - 1) * 0.2
        let c = 1 + (2 * rng.nextUniform() - 1) * 0.3
        let s = 1 + (2 * rng.nextUniform() - 1) * 0.4
        XCTAssertEqual(apply(jitter, image, seed: 1), apply(.colour(brightness: b, contrast: c, saturation: s), image))
        // Both images of the batch get the same draw: image 1 jittered alone matches.
        let second = Tensor(shape: [1, 3, 4, 4], scalars: Array(image.scalars[48...]))
        XCTAssertEqual(Array(apply(jitter, image, seed: 1).scalars[48...]), apply(jitter, second, seed: 1).scalars)
        // Keys are exact, so recipes that differ only in a colour argument never share a key.
        XCTAssertNotEqual(Transform.colourJitter().key, Transform.colourJitter(brightness: 0.2).key)
        XCTAssertNotEqual(Transform.colour(brightness: 0.1, contrast: 1, saturation: 1).key,
                          Transform.colour(brightness: 0.1000001, contrast: 1, saturation: 1).key)
        // Zero ranges are the identity.
        XCTAssertEqual(apply(.colourJitter(brightness: 0, contrast: 0, saturation: 0), image, seed: 3), image)
    }

    func testColourGradientByFiniteDifferences() {
        checkGradient([seededUniform([2, 3, 3, 2], seed: 6)]) { v in
            colourAdjusted(v[0], brightness: 0.1, contrast: 1.3, saturation: 0.6)
        }
        checkGradient([seededUniform([1, 3, 2, 2], seed: 7)]) { v in
            var rng = SeededGenerator(seed: 5)
            return Transform.colourJitter(brightness: 0.3, contrast: 0.5, saturation: 0.9)(v[0], using: &rng)
        }
    }
}
