/// What goes wrong with atlas input: bad arguments, a folder rendered with another recipe, an
/// incomplete atlas at merge time. Each names the argument, file or channels and what is valid.
public enum AtlasError: Error, CustomStringConvertible, Equatable {
    /// An argument (`name`) with a `value` outside what is `valid`.
    case invalidArgument(_ name: String, _ value: String, _ valid: String)
    /// The folder's `atlas.json` records another recipe (or model) than this run's.
    case recipeMismatch(folder: String, stored: String, requested: String)
    /// The folder's `atlas.json` was started on other machine code (kernel build or OpenBLAS core)
    /// than this process runs: its channels would not match the stored ones bit for bit.
    case machineCodeMismatch(folder: String, stored: String, current: String)
    /// A file of the atlas is missing or unreadable.
    case unreadable(_ path: String, _ reason: String)
    /// `--merge` found channels that no shard has finished.
    case incomplete(folder: String, missing: [String])
    /// A file or folder could not be written.
    case cannotWrite(_ path: String, _ reason: String)

    public var description: String {
        switch self {
        case let .invalidArgument(name, value, valid):
            return "invalid \(name) \(value): valid is \(valid)"
        case let .recipeMismatch(folder, stored, requested):
            return "\(folder)/atlas.json was rendered with \(stored), not \(requested): use another --out folder or the same recipe"
        case let .machineCodeMismatch(folder, stored, current):
            return "\(folder)/atlas.json was rendered on \(stored), but this process runs \(current): its channels would "
                + "differ in their bits. Run every shard on the same machine code (OPENBLAS_CORETYPE picks the OpenBLAS core) "
                + "or use another --out folder"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .incomplete(folder, missing):
            let shown = missing.prefix(8).joined(separator: ", ")
            return "\(folder) is missing \(missing.count) channel\(missing.count == 1 ? "" : "s") (\(shown)\(missing.count > 8 ? ", …" : "")): run the missing shards first"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
