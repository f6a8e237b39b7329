import Tensors

/// A perceptual colour map: a number in [0, 1] → an RGB colour, for drawing feature maps and
/// other single-channel data so that equal steps in value look like equal steps in colour
/// (grey ramps do not, and they hide structure in the dark half).
///
/// The maps are matplotlib's `viridis` and `magma` (Smith and van der Walt, CC0), kept here as
/// their values at 0, 0.1, …, 1 and interpolated linearly in between; eleven stops are within
/// about 1/255 of the 256-entry tables for these smooth maps.
///
/// ```swift
/// let picture = ColourMap.viridis.image(plane)   // plane [H, W] → [1, 3, H, W], min…max → dark…bright
/// ```
public struct ColourMap: Sendable {
    public let name: String
    /// RGB in [0, 1] at evenly spaced positions from 0 to 1.
    public let stops: [[Float]]

    public init(name: String, stops: [[Float]]) {
        precondition(stops.count >= 2 && stops.allSatisfy { $0.count == 3 },
                     "a colour map needs at least two RGB stops, got \(stops)")
        self.name = name
        self.stops = stops
    }

    /// From blue-purple through teal to yellow (matplotlib's default).
    public static let viridis = ColourMap(name: "viridis", hex: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
        0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ])

    /// From black through purple and red to pale yellow.
    public static let magma = ColourMap(name: "magma", hex: [
        0x000004, 0x140E36, 0x3B0F70, 0x641A80, 0x8C2981, 0xB73779,
        0xDE4968, 0xF7705C, 0xFE9F6D, 0xFECF92, 0xFCFDBF,
    ])

    init(name: String, hex: [Int]) {
        self.init(name: name, stops: hex.map { v in
            [Float((v >> 16) & 0xFF) / 255, Float((v >> 8) & 0xFF) / 255, Float(v & 0xFF) / 255]
        })
    }

    /// The colour at `t` (clamped to [0, 1]), as `[r, g, b]`.
    public func colour(at t: Float) -> [Float] {
        let x = Swift.min(Swift.max(t.isNaN ? 0 : t, 0), 1) * Float(stops.count - 1)
        let i = Swift.min(Int(x), stops.count - 2)
        let f = x - Float(i)
        return (0..<3).map { stops[i][$0] * (1 - f) + stops[i + 1][$0] * f }
    }

    /// A single-channel plane (`[H, W]`, `[1, H, W]` or `[1, 1, H, W]`) drawn in this map as an
    /// image `[1, 3, H, W]`: `range.lowerBound` is the darkest colour and `range.upperBound` the
    /// brightest; by default the plane's own minimum and maximum (a flat plane is all dark).
    public func image(_ plane: Tensor, range: ClosedRange<Float>? = nil) -> Tensor {
        let shape = plane.shape
        precondition(shape.count >= 2 && shape.dropLast(2).allSatisfy { $0 == 1 },
                     "ColourMap.image needs one plane [H, W], [1, H, W] or [1, 1, H, W], got \(shape)")
        let (h, w) = (shape[shape.count - 2], shape[shape.count - 1])
        let values = plane.scalars
        let lo = range?.lowerBound ?? (values.min() ?? 0)
        let hi = range?.upperBound ?? (values.max() ?? 0)
        var out = [Float](repeating: 0, count: 3 * h * w)
        for (p, v) in values.enumerated() {
            let rgb = colour(at: hi > lo ? (v - lo) / (hi - lo) : 0)
            for c in 0..<3 { out[c * h * w + p] = rgb[c] }
        }
        return Tensor(shape: [1, 3, h, w], scalars: out)
    }
}
