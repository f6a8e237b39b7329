import Foundation
import Models
import RenderCache
import Tensors

/// Memoized renders: with a store enabled, every render looks itself up before optimizing and
/// stores what it produced.
///
/// Renders are deterministic, so a render's result is a function of what the key covers: the
/// engine build (the SHA-256 of the binary holding this module, not its modification time), the
/// kernel path (``KernelPath/fingerprint``: CPU, vector kernels, OpenBLAS core, threads), the weights
/// (``Network/weightsDigest``), and the render's complete description. A hit returns the stored
/// bytes, which are exactly what running again would produce. Off by default: the book's runner
/// turns it on for chapter programs; a library user opts in with one line.
///
/// ```swift
/// RenderMemo.enable(folder: ".fvbook-cache/renders")
/// let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 3)   // a hit the second time
/// ```
public enum RenderMemo {
    /// Bumped when what a stored render means changes (its payload or what it is computed from).
    static let version = "fvbook-render-memo-1"

    /// Marks the key of a custom objective or transform made without one: such a key does not
    /// describe its body, so a render whose key holds it is never looked up nor stored.
    public static let unkeyed = "⟨unkeyed⟩"

    nonisolated(unsafe) private static var active: RenderStore?
    private static let lock = NSLock()

    /// Turns memoized renders on for this process, stored in `folder` and bounded to `limit` bytes.
    public static func enable(folder: String = ".fvbook-cache/renders", limit: Int = RenderStore.defaultLimit) {
        let store = RenderStore(folder: URL(fileURLWithPath: folder), limit: limit)
        lock.lock(); defer { lock.unlock() }
        active = store
    }

    /// Turns memoized renders off: every render optimizes again.
    public static func disable() {
        lock.lock(); defer { lock.unlock() }
        active = nil
    }

    /// The store in use, if memoized renders are on.
    public static var store: RenderStore? {
        lock.lock(); defer { lock.unlock() }
        return active
    }

    /// Lookups that found a stored render, and renders stored, since the process started.
    nonisolated(unsafe) public private(set) static var hits = 0
    nonisolated(unsafe) public private(set) static var stores = 0

    /// The SHA-256 of the binary (library or executable) holding this module's code: the file
    /// of the mapping in `/proc/self/maps` that contains this module's image.
    static let engineDigest: String? = {
        let address = UInt(bitPattern: #dsohandle)
        guard let maps = ProcFile.text("/proc/self/maps") else { return nil }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let range = fields.first?.split(separator: "-").compactMap { UInt($0, radix: 16) } ?? []
            guard fields.count >= 6, range.count == 2, (range[0]..<range[1]).contains(address),
                  fields[5].hasPrefix("/") else { continue }
            return SHA256.hex(ofFile: fields[5...].joined(separator: " "))
        }
        return nil
    }()

    /// `compute()`, or its stored result when a store is on and holds one for `description` on
    /// `network`. Nothing is stored or looked up when the network's weights have no digest or the
    /// engine binary cannot be read.
    ///
    /// - Parameters:
    ///   - description: everything besides engine, kernels and weights that decides the result,
    ///     complete and stable (a ``Recipe``'s key).
    static func remember<Value: Codable>(_ description: String, on network: Network,
                                         _ compute: () throws -> Value) rethrows -> Value {
        try remember(description, on: network, hit: { _ in }, compute)
    }

    /// As ``remember(_:on:_:)``, calling `hit` with a value that came from the store.
    static func remember<Value: Codable>(_ description: String, on network: Network, hit: (Value) -> Void,
                                         _ compute: () throws -> Value) rethrows -> Value {
        guard let store, !description.contains(unkeyed), let weights = network.weightsDigest,
              let engine = engineDigest else { return try compute() }
        let text = "\(version)\nengine=\(engine)\nkernels=\(KernelPath.fingerprint)\nnetwork=\(network.name)\nweights=\(weights)\n\(description)"
        let key = SHA256.hex(of: Array(text.utf8))
        if let data = store.load(key), let value = try? JSONDecoder().decode(Value.self, from: data) {
            lock.lock(); hits += 1; lock.unlock()
            hit(value)
            return value
        }
        let value = try compute()
        if let data = try? JSONEncoder().encode(value) {
            // A store that cannot be written costs only the next run's time.
            if (try? store.store(data, for: key)) != nil { lock.lock(); stores += 1; lock.unlock() }
        }
        return value
    }
}

/// A tensor as stored: its shape and the exact bit patterns of its scalars.
struct StoredTensor: Codable {
    var shape: [Int]
    var scalars: Data

    init(_ tensor: Tensor) {
        shape = tensor.shape
        scalars = tensor.scalars.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    var tensor: Tensor {
        Tensor(shape: shape, scalars: floats(from: scalars))
    }
}

/// Float arrays (objective histories) stored by their bit patterns.
struct StoredFloats: Codable {
    var bits: Data
    init(_ values: [Float]) { bits = values.withUnsafeBufferPointer { Data(buffer: $0) } }
    var values: [Float] { floats(from: bits) }
}

/// The floats whose bit patterns `data` holds (copied, so `data` needs no alignment).
private func floats(from data: Data) -> [Float] {
    var values = [Float](repeating: 0, count: data.count / MemoryLayout<Float>.size)
    values.withUnsafeMutableBytes { _ = data.copyBytes(to: $0) }
    return values
}

/// A ``RenderResult`` as stored: the final image and parameters, the history, the seconds the
/// optimization took when it ran.
struct StoredRender: Codable {
    var image: StoredTensor
    var parameters: [StoredTensor]
    var history: StoredFloats
    var seconds: Double

    init(_ result: RenderResult) {
        image = StoredTensor(result.image)
        parameters = result.parameterization.parameters.map(StoredTensor.init)
        history = StoredFloats(result.history)
        seconds = result.seconds
    }

    /// The result, its parameters put into `template` (the recipe's starting image, which has
    /// the structure every render of the recipe ends with).
    func result(template: ImageParameterization) -> RenderResult {
        var parameterization = template
        parameterization.parameters = parameters.map(\.tensor)
        return RenderResult(image: image.tensor, parameterization: parameterization, history: history.values,
                            seconds: seconds)
    }
}

