import Foundation

/// A deterministic random number generator (SplitMix64): the same seed gives the same sequence
/// on every run and machine. Every random choice in the engine flows from one of these.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let x = Tensor(randomNormal: [1, 3, 8, 8], standardDeviation: 0.01, using: &rng)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal sample (Box–Muller; one of the pair, for simplicity and determinism).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / Double(1 << 53)), .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) * (1.0 / Double(1 << 53))
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniform integer in `range`.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }
}

extension Tensor {
    /// Normal samples with mean 0 and the given standard deviation.
    public init(randomNormal shape: [Int], standardDeviation: Float = 1, using rng: inout SeededGenerator) {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = rng.nextNormal() * standardDeviation }
        self.init(shape: shape, scalars: values)
    }

    /// Uniform samples in [low, high).
    public init(randomUniform shape: [Int], low: Float = 0, high: Float = 1, using rng: inout SeededGenerator) {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * rng.nextUniform() }
        self.init(shape: shape, scalars: values)
    }
}
