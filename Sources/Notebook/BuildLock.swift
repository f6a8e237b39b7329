import Foundation

/// One build at a time per folder: an exclusive `flock(2)` on each folder a build writes (the
/// site, the result cache, the scratch folder).
///
/// A second `fvbook build` on the same folders waits, saying what it waits for, until the first
/// one finishes, then builds on its result; neither sees the other's half-written files. The lock
/// is on the folder itself (an open descriptor of the directory), so no lock file appears in the
/// site, and the kernel releases it when the process ends, however it ends. Folders are locked in
/// path order, so two builds that share only some folders cannot deadlock.
///
/// ```swift
/// let lock = try BuildLock(folders: [settings.site, settings.cache, settings.work]) { print($0) }
/// defer { lock.release() }
/// ```
public final class BuildLock {
    private var descriptors: [Int32] = []

    /// Creates each folder if needed and locks it, waiting for another build that holds it.
    ///
    /// - Parameter waiting: called with a message before waiting for a folder another build holds.
    /// - Throws: ``NotebookError/cannotWrite(_:_:)`` naming a folder that cannot be created or
    ///   opened (its parent is a file, a read-only file system, …).
    public init(folders: [URL], waiting: (String) -> Void = { _ in }) throws {
        let paths = Set(folders.map { $0.standardizedFileURL.path }).sorted()
        do {
            for path in paths {
                try AtomicFiles.createFolder(URL(fileURLWithPath: path, isDirectory: true))
                let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard fd >= 0 else { throw NotebookError.cannotWrite(path, "cannot open the folder: \(AtomicFiles.errorText())") }
                descriptors.append(fd)
                if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                    guard errno == EWOULDBLOCK else {
                        throw NotebookError.cannotWrite(path, "cannot lock the folder: \(AtomicFiles.errorText())")
                    }
                    waiting("another fvbook build is using \(path); waiting for it to finish …")
                    while flock(fd, LOCK_EX) != 0 {
                        guard errno == EINTR else {
                            throw NotebookError.cannotWrite(path, "cannot lock the folder: \(AtomicFiles.errorText())")
                        }
                    }
                }
            }
        } catch {
            release()
            throw error
        }
    }

    /// Unlocks every folder (also done when the process exits).
    public func release() {
        for fd in descriptors { close(fd) }   // closing the last descriptor releases the flock
        descriptors = []
    }

    deinit { release() }
}
