import BookProtocol
import Foundation

/// How a chapter program ended.
enum ProgramExit: Equatable {
    case status(Int32)
    case signal(Int32)
    /// Killed (with its whole process group) after this many seconds.
    case timedOut(Double)
}

/// One execution of a chapter program in a child process.
struct ProcessRun {
    var folder: URL
    var events: [RunEvent]
    var exit: ProgramExit
    /// Seconds from launch to exit.
    var seconds: Double
    /// Seconds from launch to the first `begin` event.
    var startup: Double?
    /// Output written before the first cell (loader errors, …).
    var preOutput: String

    /// Runs `executable` with the project root as working directory, in its own process group,
    /// and kills the group after `timeout` seconds.
    ///
    /// - Parameters:
    ///   - settings: what the program is told through its environment (the run folder is `folder`).
    ///   - onEvent: called from this thread with each event as it arrives (progress).
    static func launch(_ executable: URL, root: URL, folder: URL, settings: RunSettings, timeout: Double,
                       onEvent: (RunEvent) -> Void) throws -> ProcessRun {
        let manager = FileManager.default
        try? manager.removeItem(at: folder)
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let preOutputURL = folder.appendingPathComponent("pre-cell.log")
        _ = manager.createFile(atPath: preOutputURL.path, contents: nil)
        let eventsURL = folder.appendingPathComponent(RunFolder.events)
        _ = manager.createFile(atPath: eventsURL.path, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.currentDirectoryURL = root
        var variables = ProcessInfo.processInfo.environment
        var settings = settings
        settings.folder = folder.path
        for (key, value) in settings.environment { variables[key] = value }
        // A short, plain backtrace of the crashing thread: it gives the Markdown line of a trap
        // inside the standard library (index out of range) or a signal.
        variables["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none,limit=24"
        process.environment = variables
        let log = try FileHandle(forWritingTo: preOutputURL)
        defer { try? log.close() }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice

        // The program sits in a process group of its own, so the terminal's Ctrl-C does not reach
        // it: `Interruption.stop()` kills it.
        let started = Date()
        try process.run()
        let pid = process.processIdentifier
        // Foundation starts the child in its own process group; make sure of it.
        if getpgid(pid) != pid { setpgid(pid, pid) }

        var tail = EventTail(url: eventsURL)
        var events: [RunEvent] = []
        var startup: Double?
        var timedOut = false
        func drain() {
            for event in tail.next() {
                if case let .begin(_, time) = event, startup == nil { startup = time - started.timeIntervalSince1970 }
                events.append(event)
                onEvent(event)
            }
        }
        while process.isRunning {
            drain()
            if Date().timeIntervalSince(started) > timeout {
                timedOut = true
                killTree(pid)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        drain()

        let exit: ProgramExit
        if timedOut { exit = .timedOut(timeout) }
        else if process.terminationReason == .uncaughtSignal { exit = .signal(process.terminationStatus) }
        else { exit = .status(process.terminationStatus) }
        let preOutput = (try? String(contentsOf: preOutputURL, encoding: .utf8)) ?? ""
        return ProcessRun(folder: folder, events: events, exit: exit, seconds: seconds, startup: startup, preOutput: preOutput)
    }

    /// Kills the process group of `pid` and of every descendant (programs the chapter started
    /// with `Process` sit in process groups of their own), descendants first found, then killed.
    static func killTree(_ pid: pid_t) {
        killWithGroups([pid] + descendants(of: pid))
    }

    /// Every process `pid` started, directly or not (from the current process table).
    static func descendants(of pid: pid_t) -> [pid_t] {
        let parents = parentTable()
        var found: [pid_t] = [], frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }

    /// SIGKILLs each process and its process group (never this process's own group).
    static func killWithGroups(_ victims: [pid_t]) {
        for victim in victims {
            let group = getpgid(victim)
            if group > 1 && group != getpgrp() { kill(-group, SIGKILL) }
            kill(victim, SIGKILL)
        }
    }

    /// Every process's parent, from `/proc/PID/stat`.
    static func parentTable() -> [pid_t: pid_t] {
        var table: [pid_t: pid_t] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // "pid (comm) state ppid …": the command may contain spaces, so split after ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { table[pid] = parent }
        }
        return table
    }

    /// A cell's captured standard output or error (`out` / `err`).
    func output(of cell: Int, _ stream: RunFolder.Stream) -> String {
        let url = folder.appendingPathComponent(RunFolder.output(cell: cell, stream))
        guard let data = FileManager.default.contents(atPath: url.path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Cells that began, in order, and whether each ended.
    var began: [Int] { events.compactMap { if case let .begin(cell, _) = $0 { return cell } else { return nil } } }
    func ended(_ cell: Int) -> Bool { events.contains { if case .end(cell, _) = $0 { return true } else { return false } } }
}
