import Foundation

/// One part of a sharded atlas: shard `index` of `count`, zero-based.
///
/// Read from `--shard I/N`, else from a scheduler's environment: a Slurm array job
/// (`SLURM_ARRAY_TASK_ID` relative to `SLURM_ARRAY_TASK_MIN`, divided by `SLURM_ARRAY_TASK_STEP`,
/// of `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` of
/// `JOB_COMPLETIONS`, which the manifest sets to the job's `completions`). Without either, the
/// whole atlas is one shard.
///
/// ```swift
/// try Shard(parsing: "2/8")                                              // index 2 of 8
/// try Shard(environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1",
///                         "SLURM_ARRAY_TASK_COUNT": "8"])                 // index 4 of 8
/// ```
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "shard \(index)/\(count) out of range")
        self.index = index
        self.count = count
    }

    /// `I/N` with `0 ≤ I < N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, (0..<n).contains(i) else {
            throw AtlasError.invalidArgument("--shard", "`\(text)`", "I/N with 0 ≤ I < N, e.g. 0/4")
        }
        self.init(index: i, count: n)
    }

    /// The shard a scheduler assigned through `environment`, or nil when none did.
    /// - Throws: ``AtlasError/invalidArgument(_:_:_:)`` naming the variable when one is set but
    ///   not a number, or the index falls outside the count.
    public init?(environment: [String: String]) throws {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw AtlasError.invalidArgument(name, "`\(text)`", "an integer")
            }
            return value
        }
        let index: Int, count: Int, source: String
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let n = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw AtlasError.invalidArgument("SLURM_ARRAY_TASK_COUNT", "(unset)", "the array's task count")
            }
            let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
            guard step > 0 else { throw AtlasError.invalidArgument("SLURM_ARRAY_TASK_STEP", "\(step)", "> 0") }
            (index, count, source) = ((id - (try number("SLURM_ARRAY_TASK_MIN") ?? 0)) / step, n, "SLURM_ARRAY_TASK_ID")
        } else if let i = try number("JOB_COMPLETION_INDEX") {
            guard let n = try number("JOB_COMPLETIONS") else {
                throw AtlasError.invalidArgument("JOB_COMPLETIONS", "(unset)", "the Indexed Job's completions (set it in the manifest)")
            }
            (index, count, source) = (i, n, "JOB_COMPLETION_INDEX")
        } else {
            return nil
        }
        guard count > 0, (0..<count).contains(index) else {
            throw AtlasError.invalidArgument(source, "gives shard \(index) of \(count)", "0…\(max(0, count - 1))")
        }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }
}
