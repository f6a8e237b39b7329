import Foundation

/// Ctrl-C (SIGINT) and SIGTERM during a build: the processes the build started are killed and
/// nothing is left half-written.
///
/// Every change to the site or the cache happens inside ``critical(_:)`` (a page written to a
/// temporary file and renamed; an image folder staged and swapped in). The C signal handler only
/// writes the signal's number to a pipe; a thread of its own reads it and does the work, so it
/// can take the same lock as the writers: it waits for a change in progress to finish, never
/// lets another one start, kills the build's child processes (the chapter program and its
/// helpers, `swiftc`, `swift build`), says so and exits with 128 + the signal number. So an
/// interrupted build leaves each page and image folder as it was before or as the build made it,
/// and the next build starts cleanly (it also sweeps temporary files a `kill -9` may have left).
///
/// ```swift
/// Interruption.install()
/// try Interruption.critical { try AtomicFiles.write(html, to: page) }
/// ```
public enum Interruption {
    /// Held during every change to the site or cache, and forever once a signal arrived.
    private static let lock = NSRecursiveLock()
    /// The signal handler's only work: write the signal number here (async-signal-safe).
    nonisolated(unsafe) private static var pipeWrite: Int32 = -1

    /// Installs the handlers for SIGINT and SIGTERM (once per process).
    ///
    /// The handler is a real function, not `SIG_IGN`: dispositions set to "ignore" would be
    /// inherited by every program the build starts (a chapter's helper could then not be stopped
    /// with SIGTERM), while handlers are reset to the default by `exec`.
    public static func install() {
        lock.lock(); defer { lock.unlock() }
        guard pipeWrite < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }   // not inherited by chapter programs
        pipeWrite = fds[1]
        let readEnd = fds[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { interrupted(by: Int32(byte)) }
                if n < 0 && errno != EINTR { return }
            }
        }
        watcher.name = "fvbook.interruption"
        watcher.start()
        let handler: @convention(c) (Int32) -> Void = { signalNumber in
            var byte = UInt8(truncatingIfNeeded: signalNumber)
            _ = write(Interruption.pipeWrite, &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Runs `body` without being interrupted half-way: a signal that arrives meanwhile takes
    /// effect when `body` returns.
    public static func critical<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    private static func interrupted(by signalNumber: Int32) -> Never {
        lock.lock()   // waits for a change in progress; never released
        killDescendants()
        let name = signalNumber == SIGINT ? "SIGINT" : signalNumber == SIGTERM ? "SIGTERM" : "signal \(signalNumber)"
        let message = "\nfvbook: interrupted (\(name)); stopped the running chapter. Pages and images already written are complete; run the build again to finish it.\n"
        FileHandle.standardError.write(Data(message.utf8))
        _exit(128 + signalNumber)
    }

    /// Kills every process this one started, directly or not, with their process groups.
    static func killDescendants() {
        ProcessRun.killWithGroups(ProcessRun.descendants(of: getpid()))
    }
}
