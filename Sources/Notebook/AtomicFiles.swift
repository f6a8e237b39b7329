import Foundation

/// Writes that a reader never sees half-done: a temporary file or folder beside the target,
/// then `rename(2)`.
///
/// Every write checks every system call, so a full disk (`ENOSPC`), a read-only folder or a
/// path through a regular file is a ``NotebookError/cannotWrite(_:_:)`` naming the target and
/// the system's reason, and the target keeps its previous content. Each operation runs inside
/// ``Interruption/critical(_:)``, so Ctrl-C never leaves a temporary behind; one that a
/// `kill -9` left is removed by ``sweepTemporaries(in:)`` at the next build.
package enum AtomicFiles {
    /// Writes `data` to `url` through a temporary file in the same folder.
    package static func write(_ data: Data, to url: URL) throws {
        try Interruption.critical {
            let folder = url.deletingLastPathComponent()
            try createFolder(folder)
            let temporary = temporaryName(beside: url)
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw NotebookError.cannotWrite(url.path, "cannot create a file in \(folder.path): \(errorText())") }
            do {
                try writeAll(data, to: fd, path: url.path)
                guard fsync(fd) == 0 || errno == EINVAL else { throw NotebookError.cannotWrite(url.path, errorText()) }
                guard close(fd) == 0 else {
                    unlink(temporary.path)
                    throw NotebookError.cannotWrite(url.path, errorText())
                }
            } catch {
                close(fd)
                unlink(temporary.path)
                throw error
            }
            guard rename(temporary.path, url.path) == 0 else {
                let reason = errorText()
                unlink(temporary.path)
                throw NotebookError.cannotWrite(url.path, reason)
            }
        }
    }

    package static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    /// Writes all of `data` to the open descriptor `fd`, retrying short writes and `EINTR`.
    /// - Throws: ``NotebookError/cannotWrite(_:_:)`` naming `path` with the system's reason
    ///   (`No space left on device` on a full disk).
    static func writeAll(_ data: Data, to fd: Int32, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw NotebookError.cannotWrite(path, errorText())
                }
                if written == 0 { throw NotebookError.cannotWrite(path, "the device accepted no more data") }
                offset += written
            }
        }
    }

    /// Creates `folder` and its parents.
    /// - Throws: ``NotebookError/cannotWrite(_:_:)`` naming the folder (a parent that is a regular
    ///   file, a read-only file system, …).
    package static func createFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw NotebookError.cannotWrite(folder.path, "it is a file, not a folder") }
            return
        }
        // Name the culprit when a parent is a regular file (mkdir would only say "Not a directory").
        var ancestor = folder.deletingLastPathComponent()
        while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            ancestor = ancestor.deletingLastPathComponent()
        }
        if ancestor.path != "/", !isDirectory.boolValue {
            throw NotebookError.cannotWrite(folder.path, "\(ancestor.path) is a file, not a folder")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw NotebookError.cannotWrite(folder.path, reason(error))
        }
    }

    /// A fresh temporary folder beside `target`, to fill and then ``replace(_:with:)``.
    package static func temporaryFolder(beside target: URL) throws -> URL {
        let folder = temporaryName(beside: target)
        guard mkdir(folder.path, 0o755) == 0 else {
            throw NotebookError.cannotWrite(target.path, "cannot create a folder in \(target.deletingLastPathComponent().path): \(errorText())")
        }
        return folder
    }

    /// Puts the finished folder `replacement` in place of `target` (which may not exist).
    ///
    /// Two renames: the old folder moves aside, the new one moves in, the old one is deleted.
    /// Between the renames `target` is briefly absent, never partly written.
    package static func replace(_ target: URL, with replacement: URL) throws {
        try Interruption.critical {
            let manager = FileManager.default
            var aside: URL?
            if manager.fileExists(atPath: target.path) {
                let old = target.deletingLastPathComponent()
                    .appendingPathComponent(".\(target.lastPathComponent).old.\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
                guard rename(target.path, old.path) == 0 else {
                    throw NotebookError.cannotWrite(target.path, errorText())
                }
                aside = old
            }
            guard rename(replacement.path, target.path) == 0 else {
                let reason = errorText()
                if let aside { _ = rename(aside.path, target.path) }
                throw NotebookError.cannotWrite(target.path, reason)
            }
            if let aside { try? manager.removeItem(at: aside) }
        }
    }

    /// Whether `name` is one of the temporaries this type makes (`.NAME.PID.RANDOM.tmp`,
    /// `.NAME.old.PID.RANDOM`).
    static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix(".") else { return false }
        return name.hasSuffix(".tmp") || name.range(of: #"\.old\.\d+\.\d+$"#, options: .regularExpression) != nil
    }

    /// Removes temporaries that an earlier build killed with SIGKILL (or a power cut) left in
    /// `folder` and its subfolders. Call only while holding the folder's ``BuildLock``.
    static func sweepTemporaries(in folder: URL) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names {
            let url = folder.appendingPathComponent(name)
            if isTemporary(name) {
                try? manager.removeItem(at: url)
                continue
            }
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                sweepTemporaries(in: url)
            }
        }
    }

    private static func temporaryName(beside target: URL) -> URL {
        target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// The system's reason inside a Foundation error, without its boilerplate.
    package static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }
}
