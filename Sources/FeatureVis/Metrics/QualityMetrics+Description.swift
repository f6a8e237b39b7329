import Foundation

extension QualityMetrics: CustomStringConvertible {
    /// One readable line: "activation 14.09 = 1.23 × best photo patch, robustness 0.91, high-frequency share 0.231".
    public var description: String {
        var parts = [String(format: "activation %.2f", activation)]
        if let ratio = activationRatio, let best = naturalBest {
            parts[0] += String(format: " = %.2f × best photo patch (%.2f)", ratio, best)
        }
        parts.append(String(format: "robustness %.2f", robustness))
        parts.append(String(format: "high-frequency share %.3f", highFrequencyShare))
        if let similarity = batchSimilarity { parts.append(String(format: "batch similarity %.3f", similarity)) }
        return parts.joined(separator: ", ")
    }
}
