import Foundation

/// Stopping a build part-way without leaving anything half-written.
///
/// Every change to the site or the cache happens inside ``critical(_:)`` (a page written to a
/// temporary file and renamed; an image folder staged and swapped in). ``stop()`` waits for a
/// change in progress to finish, never lets another one start, and kills every process the build
/// started (the chapter program and its helpers, `swiftc`, `swift build`). So a build stopped
/// this way leaves each page and image folder as it was before or as the build made it, and the
/// next build starts cleanly (it also sweeps temporary files a `kill -9` may have left).
///
/// The library installs no signal handlers: the program at the edge does (`fvbook` stops on
/// SIGINT and SIGTERM, then exits with 128 + the signal).
///
/// ```swift
/// try Interruption.critical { try AtomicFiles.write(html, to: page) }
/// Interruption.stop()   // from the program's signal handling thread, then exit
/// ```
public enum Interruption {
    /// Held during every change to the site or cache, and forever once ``stop()`` ran.
    private static let lock = NSRecursiveLock()

    /// Runs `body` without being stopped half-way: a ``stop()`` that comes meanwhile takes
    /// effect when `body` returns.
    public static func critical<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Waits for the change in progress, blocks every later one, and kills every process this
    /// one started, directly or not, with their process groups. The caller then exits.
    public static func stop() {
        lock.lock()   // never released
        ProcessRun.killWithGroups(ProcessRun.descendants(of: getpid()))
    }
}
