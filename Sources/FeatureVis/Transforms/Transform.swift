import Foundation
import Tensors

/// A named, differentiable image → image function applied before the network each step, drawing
/// its random choices from a ``SeededGenerator`` (Lucid's `transform` module).
///
/// Random transforms make the visualization robust: an image that activates a channel only
/// at one exact position, scale and angle is an adversarial pattern, not a feature. All images of
/// a batch get the same random choice in a step (as in Lucid).
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let t = Transform.compose(Transform.standard)
/// let y = t(image, using: &rng)        // padded, jittered, scaled, rotated, jittered
/// ```
public struct Transform: Sendable, CustomStringConvertible {
    /// A label for logs, e.g. `jitter(8)`.
    public let name: String
    /// The transform's complete, stable description (every argument exact): its part of a
    /// ``Recipe/key``. A custom transform's key is the one it was given; without one it is marked
    /// unkeyed (``RenderMemo/unkeyed``) and renders using it are never memoized.
    public let key: String
    let body: @Sendable (Variable, inout SeededGenerator) -> Variable

    /// A custom transform. `body` must be differentiable (record on the variable's tape);
    /// `key` must tell it apart from every other transform (without it, renders using it always run).
    public init(name: String, key: String? = nil, _ body: @escaping @Sendable (Variable, inout SeededGenerator) -> Variable) {
        self.name = name
        self.key = key ?? name + RenderMemo.unkeyed
        self.body = body
    }

    public func callAsFunction(_ image: Variable, using rng: inout SeededGenerator) -> Variable {
        body(image, &rng)
    }

    public var description: String { name }
}

extension Transform {
    /// Pads every side by `width` pixels of the constant `value` (Lucid: 12 px of 0.5).
    public static func pad(_ width: Int, value: Float = 0.5) -> Transform {
        precondition(width >= 0, "pad width must be ≥ 0, got \(width)")
        return Transform(name: "pad(\(width), \(value.formatted()))", key: keyCall("pad", width, value)) { x, _ in
            Tensors.pad(x, top: width, left: width, bottom: width, right: width, value: value)
        }
    }

    /// A random crop of size `(H − d) × (W − d)`: the window's top-left corner is drawn uniformly
    /// from `0…d` on each axis (Lucid's `jitter`), so the content moves by up to ±d/2 pixels in
    /// both directions relative to the centred crop, and the image shrinks by `d`.
    public static func jitter(_ d: Int) -> Transform {
        precondition(d >= 0, "jitter must be ≥ 0, got \(d)")
        return Transform(name: "jitter(\(d))", key: keyCall("jitter", d)) { x, rng in
            let dy = rng.nextInt(in: 0...d), dx = rng.nextInt(in: 0...d)
            return Tensors.crop(x, top: dy, left: dx, height: x.shape[2] - d, width: x.shape[3] - d)
        }
    }

    /// A crop at a fixed offset (the deterministic core of ``jitter(_:)``).
    public static func crop(top: Int, left: Int, height: Int, width: Int) -> Transform {
        Transform(name: "crop(\(top), \(left), \(height)×\(width))", key: keyCall("crop", top, left, height, width)) { x, _ in
            Tensors.crop(x, top: top, left: left, height: height, width: width)
        }
    }

    /// Bilinear resize by one of `scales`, drawn uniformly; the new side is `round(scale · side)`.
    /// PyTorch's `interpolate` semantics with `align_corners = false` (half-pixel centres).
    public static func randomScale(_ scales: [Float]) -> Transform {
        precondition(!scales.isEmpty && scales.allSatisfy { $0 > 0 }, "scales must be positive and non-empty")
        return Transform(name: "randomScale(\(scales.first!.formatted())…\(scales.last!.formatted()))",
                         key: keyCall("randomScale", scales)) { x, rng in
            let s = scales[rng.nextInt(in: 0...(scales.count - 1))]
            return scaled(x, by: s)
        }
    }

    /// Bilinear resize by a fixed factor (the deterministic core of ``randomScale(_:)``).
    public static func scale(_ factor: Float) -> Transform {
        Transform(name: "scale(\(factor.formatted()))", key: keyCall("scale", factor)) { x, _ in scaled(x, by: factor) }
    }

    /// Rotation about the centre by one of `degrees` (counter-clockwise as displayed), drawn
    /// uniformly, sampled bilinearly; pixels rotated in from outside take `fill`.
    ///
    /// Lucid rotates with nearest-neighbour sampling and zero fill, Lucent bilinearly with zero
    /// fill. We sample bilinearly and fill with 0.5 by default: the same grey as ``pad(_:value:)``,
    /// so rotation does not draw black corners that the padding was meant to avoid.
    public static func randomRotate(degrees: [Double], fill: Float = 0.5) -> Transform {
        precondition(!degrees.isEmpty, "angles must be non-empty")
        return Transform(name: "randomRotate(\(degrees.min()!.formatted())…\(degrees.max()!.formatted())°)",
                         key: keyCall("randomRotate", degrees, fill)) { x, rng in
            let angle = degrees[rng.nextInt(in: 0...(degrees.count - 1))]
            return rotated(x, degrees: angle, fill: fill)
        }
    }

    /// Rotation by a fixed angle (the deterministic core of ``randomRotate(degrees:fill:)``).
    public static func rotate(degrees: Double, fill: Float = 0.5) -> Transform {
        Transform(name: "rotate(\(degrees.formatted())°)", key: keyCall("rotate", degrees, fill)) { x, _ in
            rotated(x, degrees: degrees, fill: fill)
        }
    }

    /// Bilinear resize to a fixed size (used to bring small images up to the network's input size).
    public static func resize(height: Int, width: Int, alignCorners: Bool = false) -> Transform {
        Transform(name: "resize(\(height)×\(width))", key: keyCall("resize", height, width, alignCorners)) { x, _ in
            resized(x, height: height, width: width, alignCorners: alignCorners)
        }
    }

    /// The transforms applied in order, as one.
    public static func compose(_ transforms: [Transform]) -> Transform {
        Transform(name: transforms.map(\.name).joined(separator: " → "),
                  key: keyCall("compose", transforms.map { Keyed($0.key) })) { x, rng in
            transforms.reduce(x) { y, t in t(y, using: &rng) }
        }
    }

    /// Lucid's scales: 0.90, 0.92, …, 1.10.
    public static let standardScales: [Float] = (0...10).map { 1 + Float($0 - 5) / 50 }

    /// Lucid's angles: −10…10 degrees, with 0 listed 5 more times (26 entries).
    public static let standardAngles: [Double] = (-10...10).map(Double.init) + Array(repeating: 0, count: 5)

    /// Lucid's `standard_transforms`: pad(12, 0.5), jitter(8), randomScale(0.90…1.10),
    /// randomRotate(−10…10°, 0° weighted 6×), jitter(4).
    public static let standard: [Transform] = [
        .pad(12, value: 0.5),
        .jitter(8),
        .randomScale(standardScales),
        .randomRotate(degrees: standardAngles),
        .jitter(4),
    ]
}

// The ops behind the transforms, shared with the render loop and metrics.

func scaled(_ x: Variable, by factor: Float) -> Variable {
    let h = max(1, Int((factor * Float(x.shape[2])).rounded()))
    let w = max(1, Int((factor * Float(x.shape[3])).rounded()))
    return resized(x, height: h, width: w, alignCorners: false)
}

func resized(_ x: Variable, height: Int, width: Int, alignCorners: Bool) -> Variable {
    if x.shape[2] == height && x.shape[3] == width { return x }
    return resizeBilinear(x, height: height, width: width, alignCorners: alignCorners)
}

func rotated(_ x: Variable, degrees: Double, fill: Float) -> Variable {
    if degrees == 0 { return x }
    let plan = BilinearSampler.rotation(height: x.shape[2], width: x.shape[3], degrees: degrees)
    return sampleBilinear(x, plan, fill: fill)
}
