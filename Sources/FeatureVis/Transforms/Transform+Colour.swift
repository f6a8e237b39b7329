import Tensors

// Colour augmentation (the article's advice "use color augmentation"): brightness, contrast and
// saturation, each a per-pixel affine map of the three channels, so the whole jitter is one
// 3×3 matrix and one offset per step and its gradient is the matrix transposed.

extension Transform {
    /// Rec. 601 luma weights (R, G, B), the grey that saturation mixes towards.
    public static let lumaWeights: [Float] = [0.299, 0.587, 0.114]

    /// A fixed colour change: saturation `s` around each pixel's luma, then contrast `c` around
    /// mid-grey 0.5, then brightness `b` added: `y = c · (l + s · (x − l)) + 0.5 · (1 − c) + b`
    /// with `l = 0.299 R + 0.587 G + 0.114 B`. Values are not clamped (a clamp would stop the
    /// gradient where it bites). `colour(brightness: 0, contrast: 1, saturation: 1)` is the identity.
    ///
    /// ```swift
    /// let duller = Transform.colour(brightness: 0, contrast: 0.9, saturation: 0.8)
    /// ```
    public static func colour(brightness b: Float, contrast c: Float, saturation s: Float) -> Transform {
        Transform(name: "colour(b \(b.formatted()), c \(c.formatted()), s \(s.formatted()))",
                  key: keyCall("colour", b, c, s)) { x, _ in
            colourAdjusted(x, brightness: b, contrast: c, saturation: s)
        }
    }

    /// Random colour augmentation: each step draws a brightness offset uniformly in
    /// `−brightness…brightness`, a contrast factor in `1 − contrast…1 + contrast` and a saturation
    /// factor in `1 − saturation…1 + saturation` (torchvision's `ColorJitter` ranges; contrast here
    /// is around mid-grey rather than the image's mean), and applies ``colour(brightness:contrast:saturation:)``.
    /// All images of a batch get the same draw, as with the other transforms.
    ///
    /// ```swift
    /// let transforms = Transform.standard + [.colourJitter()]
    /// ```
    public static func colourJitter(brightness: Float = 0.1, contrast: Float = 0.1, saturation: Float = 0.1) -> Transform {
        precondition(brightness >= 0 && contrast >= 0 && contrast <= 1 && saturation >= 0 && saturation <= 1,
                     "colourJitter needs brightness ≥ 0 and contrast, saturation in 0…1, got \(brightness), \(contrast), \(saturation)")
        let name = "colourJitter(b ±\(brightness.formatted()), c ±\(contrast.formatted()), s ±\(saturation.formatted()))"
        return Transform(name: name, key: keyCall("colourJitter", brightness, contrast, saturation)) { x, rng in
            // One draw each, in this order, so a seed fixes all three.
            let b = (2 * rng.nextUniform() - 1) * brightness
            let c = 1 + (2 * rng.nextUniform() - 1) * contrast
            let s = 1 + (2 * rng.nextUniform() - 1) * saturation
            return colourAdjusted(x, brightness: b, contrast: c, saturation: s)
        }
    }
}

/// The affine colour map behind ``Transform/colour(brightness:contrast:saturation:)`` on `[N, 3, H, W]`.
func colourAdjusted(_ x: Variable, brightness b: Float, contrast c: Float, saturation s: Float) -> Variable {
    precondition(x.shape.count == 4 && x.shape[1] == 3, "a colour transform needs [N, 3, H, W], got \(x.shape)")
    let matrix = colourMatrix(contrast: c, saturation: s)
    let offset = 0.5 * (1 - c) + b
    if matrix == identity3 && offset == 0 { return x }
    let mixed = mixChannels(x, matrix)
    if offset == 0 { return mixed }
    return mixed + offset
}

/// `c · (s · I + (1 − s) · 1 · lumaᵀ)`: row i gives output channel i.
func colourMatrix(contrast c: Float, saturation s: Float) -> [[Float]] {
    (0..<3).map { i in
        (0..<3).map { j in c * ((i == j ? s : 0) + (1 - s) * Transform.lumaWeights[j]) }
    }
}

private let identity3: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
