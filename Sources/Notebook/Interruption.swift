import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM during a build: the processes the build started are killed and
/// nothing is left half-written.
///
/// Every change to the site or the cache happens inside ``critical(_:)`` (a page written to a
/// temporary file and renamed; an image folder staged and swapped in). The signal is handled on a
/// dispatch queue, not in a C signal handler, so the handler can take the same lock: it waits for
/// a change in progress to finish, never lets another one start, kills the build's child
/// processes (the chapter program and its helpers, `swiftc`, `swift build`), says so and exits
/// with 128 + the signal number. So an interrupted build leaves each page and image folder as it
/// was before or as the build made it, and the next build starts cleanly (it also sweeps
/// temporary files a `kill -9` may have left, see ``BuildLock``).
///
/// ```swift
/// Interruption.install()
/// try Interruption.critical { try AtomicFiles.write(html, to: page) }
/// ```
public enum Interruption {
    /// Held during every change to the site or cache, and forever once a signal arrived.
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let queue = DispatchQueue(label: "fvbook.interruption")

    /// Installs the handlers for SIGINT and SIGTERM (once per process).
    public static func install() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            // The default action would end the process at once: ignore it, handle it on the queue.
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { interrupted(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
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
        let me = getpid()
        let parents = ProcessRun.parentTable()
        var frontier = [me]
        var victims: [pid_t] = []
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            victims += children
            frontier += children
        }
        for victim in victims {
            let group = getpgid(victim)
            if group > 1 && group != getpgrp() { kill(-group, SIGKILL) }
            kill(victim, SIGKILL)
        }
    }
}
