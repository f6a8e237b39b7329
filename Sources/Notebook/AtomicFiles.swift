import Foundation

/// Writes that a reader never sees half-done: a temporary file or folder beside the target,
/// then `rename(2)`.
enum AtomicFiles {
    /// Writes `data` to `url` through a temporary file in the same folder.
    static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw NotebookError.cannotWrite(url.path, "cannot create a file in \(folder.path)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw NotebookError.cannotWrite(url.path, reason)
        }
    }

    static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    /// A fresh temporary folder beside `target`, to fill and then ``replace(_:with:)``.
    static func temporaryFolder(beside target: URL) throws -> URL {
        let parent = target.deletingLastPathComponent()
        let folder = parent.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Puts the finished folder `replacement` in place of `target` (which may not exist).
    ///
    /// Two renames: the old folder moves aside, the new one moves in, the old one is deleted.
    /// Between the renames `target` is briefly absent, never partly written.
    static func replace(_ target: URL, with replacement: URL) throws {
        let manager = FileManager.default
        var aside: URL?
        if manager.fileExists(atPath: target.path) {
            let old = target.deletingLastPathComponent()
                .appendingPathComponent(".\(target.lastPathComponent).old.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
            guard rename(target.path, old.path) == 0 else {
                throw NotebookError.cannotWrite(target.path, String(cString: strerror(errno)))
            }
            aside = old
        }
        guard rename(replacement.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let aside { _ = rename(aside.path, target.path) }
            throw NotebookError.cannotWrite(target.path, reason)
        }
        if let aside { try? manager.removeItem(at: aside) }
    }
}
