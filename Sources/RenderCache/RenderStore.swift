import Foundation

/// A content-addressed store of finished renders: a key (the SHA-256 of everything that decides a
/// render) names a file holding the render's bytes.
///
/// Renders are deterministic, so a stored result is exactly what running again would produce;
/// editing a late cell of a chapter then re-runs its program in seconds, because its earlier
/// renders are hits. The store is safe to share:
///
/// * **Atomic writes.** An entry is written to a temporary file beside it and renamed into place,
///   so a reader sees the old entry, the new one or none, never half of one; a crash mid-write
///   leaves only a temporary, swept by a later ``trim()``.
/// * **Checked reads.** Each entry is framed (magic, length, SHA-256 of the payload). A truncated
///   or corrupt entry is a miss; the next ``store(_:for:)`` of its key replaces it.
/// * **Bounded.** After each store the least recently used entries (by modification time, which a
///   hit refreshes) are removed until the total is within ``limit`` bytes.
/// * **Two processes at once.** Writers never share a temporary; a rename replaces whole files; an
///   entry removed while another process reads it stays readable through that reader's open file.
///   Trimming takes an exclusive `flock` on the folder's `.lock`, so one process trims at a time.
///
/// ```swift
/// let store = RenderStore(folder: URL(fileURLWithPath: ".fvbook-cache/renders"), limit: 1 << 30)
/// if let bytes = store.load(key) { … } else { try store.store(bytes, for: key) }
/// ```
public final class RenderStore: @unchecked Sendable {
    /// The folder holding the entries (`.fvbook-cache/renders`).
    public let folder: URL
    /// The most bytes the entries may take together.
    public let limit: Int

    /// Entries are framed by these bytes, then the payload's length and SHA-256.
    static let magic = Array("FVRENDER1\n".utf8)
    static let headerSize = magic.count + 8 + 32
    /// A temporary older than this is left over from a crashed writer.
    static let staleTemporarySeconds: TimeInterval = 3600

    /// A store in `folder` bounded to `limit` bytes (default 2 GiB).
    public init(folder: URL, limit: Int = RenderStore.defaultLimit) {
        self.folder = folder.standardizedFileURL
        self.limit = max(0, limit)
    }

    /// 2 GiB.
    public static let defaultLimit = 2 << 30

    /// The file of `key`: `FOLDER/ab/abcdef….render`.
    public func file(for key: String) -> URL {
        precondition(key.count >= 8 && key.allSatisfy { $0.isHexDigit }, "a render key is a hex digest, got \(key)")
        return folder.appendingPathComponent(String(key.prefix(2))).appendingPathComponent("\(key).render")
    }

    /// The payload stored under `key`, or nil on a miss (absent, truncated or corrupt entry).
    /// A hit marks the entry as recently used.
    public func load(_ key: String) -> Data? {
        let url = file(for: key)
        guard let data = FileManager.default.contents(atPath: url.path), let payload = Self.unframe(data) else {
            return nil
        }
        // Refresh the entry's place in the LRU order; a failure only makes it older.
        utimes(url.path, nil)
        return payload
    }

    /// Stores `payload` under `key` (atomically replacing any entry), then trims the store to its
    /// limit.
    ///
    /// - Throws: ``RenderStoreError/cannotWrite(_:_:)`` naming the entry and the system's reason
    ///   (a full disk, a read-only folder); the previous entry, if any, is untouched.
    public func store(_ payload: Data, for key: String) throws {
        let url = file(for: key)
        let shard = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
        } catch {
            throw RenderStoreError.cannotWrite(shard.path, "\(error.localizedDescription)")
        }
        let temporary = shard.appendingPathComponent(".\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RenderStoreError.cannotWrite(url.path, Self.errorText()) }
        let framed = Self.frame(payload)
        let written = framed.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let reason = written ? "" : Self.errorText()
        guard written, close(fd) == 0 else {
            if written { close(fd) }
            unlink(temporary.path)
            throw RenderStoreError.cannotWrite(url.path, written ? Self.errorText() : reason)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = Self.errorText()
            unlink(temporary.path)
            throw RenderStoreError.cannotWrite(url.path, reason)
        }
        trim()
    }

    /// Removes least recently used entries until the store is within ``limit``, and temporaries
    /// that crashed writers left. Skipped when another process is trimming.
    public func trim() {
        let lockFile = folder.appendingPathComponent(".lock")
        let lock = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }
        var entries = self.entries()
        let now = Date()
        for entry in entries where entry.temporary && now.timeIntervalSince(entry.modified) > Self.staleTemporarySeconds {
            unlink(entry.url.path)
        }
        entries.removeAll { $0.temporary }
        var total = entries.reduce(0) { $0 + $1.size }
        guard total > limit else { return }
        for entry in entries.sorted(by: { $0.modified < $1.modified }) where total > limit {
            if unlink(entry.url.path) == 0 || errno == ENOENT { total -= entry.size }
        }
    }

    /// The total size in bytes of the stored entries.
    public var size: Int { entries().filter { !$0.temporary }.reduce(0) { $0 + $1.size } }

    /// Every entry file and temporary in the store.
    func entries() -> [(url: URL, size: Int, modified: Date, temporary: Bool)] {
        let manager = FileManager.default
        var found: [(URL, Int, Date, Bool)] = []
        for shard in (try? manager.contentsOfDirectory(atPath: folder.path)) ?? [] where shard.count == 2 {
            let shardURL = folder.appendingPathComponent(shard)
            for name in (try? manager.contentsOfDirectory(atPath: shardURL.path)) ?? [] {
                let temporary = name.hasPrefix(".") && name.hasSuffix(".tmp")
                guard temporary || name.hasSuffix(".render") else { continue }
                let url = shardURL.appendingPathComponent(name)
                var info = stat()
                guard stat(url.path, &info) == 0 else { continue }
                let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
                found.append((url, Int(info.st_size), modified, temporary))
            }
        }
        return found
    }

    // MARK: - Framing

    /// `magic · payload length (UInt64, little-endian) · SHA-256(payload) · payload`.
    static func frame(_ payload: Data) -> Data {
        var data = Data(magic)
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: SHA256.digest(payload))
        data.append(payload)
        return data
    }

    /// The payload of a framed entry, or nil when the frame is short, foreign or corrupt.
    static func unframe(_ data: Data) -> Data? {
        guard data.count >= headerSize, data.prefix(magic.count).elementsEqual(magic) else { return nil }
        let lengthBytes = data.dropFirst(magic.count).prefix(8)
        let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length == UInt64(data.count - headerSize) else { return nil }
        let digest = data.dropFirst(magic.count + 8).prefix(32)
        let payload = data.dropFirst(headerSize)
        guard digest.elementsEqual(SHA256.digest(payload)) else { return nil }
        return Data(payload)
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// The store could not write an entry.
public enum RenderStoreError: Error, CustomStringConvertible, Equatable {
    /// The file or folder, and the system's reason.
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot write the render cache entry \(path): \(reason)"
        }
    }
}
