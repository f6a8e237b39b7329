import Foundation
import Notebook

/// Ctrl-C (SIGINT) and SIGTERM: the build stops cleanly (``Interruption/stop()``: the change in
/// progress finishes, the processes it started are killed), says so and exits with 128 + the
/// signal number.
///
/// The C handler only writes the signal's number to a pipe; a thread of its own reads it and does
/// the work, so it can wait on the same lock as the writers. The handler is a real function, not
/// `SIG_IGN`: dispositions set to "ignore" would be inherited by every program the build starts
/// (a chapter's helper could then not be stopped with SIGTERM), while handlers are reset to the
/// default by `exec`.
enum Signals {
    /// The signal handler's only work: write the signal number here (async-signal-safe).
    nonisolated(unsafe) private static var pipeWrite: Int32 = -1

    /// Installs the handlers for SIGINT and SIGTERM.
    static func install() {
        var fds: [Int32] = [-1, -1]
        guard pipeWrite < 0, pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }   // not inherited by chapter programs
        pipeWrite = fds[1]
        let readEnd = fds[0]
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { stopped(by: Int32(byte)) }
                if n < 0 && errno != EINTR { return }
            }
        }
        watcher.name = "fvbook.signals"
        watcher.start()
        let handler: @convention(c) (Int32) -> Void = { signalNumber in
            var byte = UInt8(truncatingIfNeeded: signalNumber)
            _ = write(Signals.pipeWrite, &byte, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    private static func stopped(by signalNumber: Int32) -> Never {
        Interruption.stop()
        let name = signalNumber == SIGINT ? "SIGINT" : signalNumber == SIGTERM ? "SIGTERM" : "signal \(signalNumber)"
        let message = "\nfvbook: interrupted (\(name)); stopped the running chapter. Pages and images already written are complete; run the build again to finish it.\n"
        FileHandle.standardError.write(Data(message.utf8))
        _exit(128 + signalNumber)
    }
}
