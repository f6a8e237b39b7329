// The statistics and clocks every figure of the benchmark uses.
import Foundation

/// The median and spread of repeated measurements.
struct Stats: Codable, Equatable {
    let median, min, max, q1, q3: Double
    let count: Int

    /// Summarizes `samples` (quartiles by linear interpolation between order statistics).
    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples to summarize")
        let s = samples.sorted()
        func quantile(_ p: Double) -> Double {
            let position = p * Double(s.count - 1)
            let lower = Int(position.rounded(.down)), upper = Swift.min(lower + 1, s.count - 1)
            return s[lower] + (position - Double(lower)) * (s[upper] - s[lower])
        }
        median = quantile(0.5)
        q1 = quantile(0.25)
        q3 = quantile(0.75)
        min = s[0]
        max = s[s.count - 1]
        count = s.count
    }

    private init(median: Double, min: Double, max: Double, q1: Double, q3: Double, count: Int) {
        (self.median, self.min, self.max, self.q1, self.q3, self.count) = (median, min, max, q1, q3, count)
    }

    /// Rounded to 4 decimals in JSON: the clock is not more precise than that.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.median, median), (.min, min), (.max, max), (.q1, q1), (.q3, q3)] {
            try c.encode(rounded(value, decimals: 4), forKey: key)
        }
        try c.encode(count, forKey: .count)
    }

    /// Every value mapped by an increasing function (a unit change, a division by a batch size).
    func map(_ f: (Double) -> Double) -> Stats {
        Stats(median: f(median), min: f(min), max: f(max), q1: f(q1), q3: f(q3), count: count)
    }
}

/// How many repetitions a run makes: the full benchmark or the `--quick` smoke check.
struct BenchPlan {
    /// Steps run and discarded before timing each configuration.
    var warmupSteps: Int
    /// Timed steps per configuration: as many as fit in `stepBudgetSeconds`, within these bounds.
    var minSteps: Int, maxSteps: Int
    var stepBudgetSeconds: Double
    /// Default renders timed (each one is 512 steps).
    var renders: Int
    /// Timed 1024³ products per thread count, after one untimed product.
    var sgemmRepetitions: Int

    static let full = BenchPlan(warmupSteps: 3, minSteps: 7, maxSteps: 60, stepBudgetSeconds: 3, renders: 3,
                                sgemmRepetitions: 10)
    static let quick = BenchPlan(warmupSteps: 1, minSteps: 3, maxSteps: 3, stepBudgetSeconds: 0, renders: 1,
                                 sgemmRepetitions: 3)
}

/// `value` rounded to `decimals` places, for readable JSON.
func rounded(_ value: Double, decimals: Int) -> Double {
    let scale = Foundation.pow(10, Double(decimals))
    return (value * scale).rounded() / scale
}

/// Seconds since an arbitrary start, from the monotonic clock.
func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

