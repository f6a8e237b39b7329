import Foundation

/// The chapter program's side of the runner protocol: cell boundaries, events, output files.
///
/// One per process. Without `FVBOOK_RUN_DIR` (a chapter program started by hand) it records
/// nothing and leaves standard output alone; `show` and `check` then only print.
final class Session {
    static let shared = Session()

    /// The run folder, or nil outside a book run.
    let folder: String?
    /// The `should-fail` cell this run exists for, if any (`FVBOOK_FAIL_CELL`).
    let failCell: Int?
    private var events: Int32 = -1
    private(set) var cell = 0
    private var cellStart: UInt64 = 0
    private var imageCount = 0
    private var groupCount = 0
    private let lock = NSLock()

    private init() {
        let environment = ProcessInfo.processInfo.environment
        folder = environment["FVBOOK_RUN_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        failCell = environment["FVBOOK_FAIL_CELL"].flatMap { Int($0) }
        if let folder {
            events = open(folder + "/events.jsonl", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            precondition(events >= 0, "BookRuntime: cannot open \(folder)/events.jsonl: \(String(cString: strerror(errno)))")
        }
        // Unbuffered: output printed before a trap must not die in a stdio buffer.
        setvbuf(stdout, nil, _IONBF, 0)
    }

    /// Appends one event as a JSON line with a single write.
    func record(_ fields: [String: Any]) {
        guard events >= 0 else { return }
        lock.lock(); defer { lock.unlock() }
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else {
            preconditionFailure("BookRuntime: event is not JSON: \(fields)")
        }
        data.append(0x0A)
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(events, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    func start() {
        record(["event": "start", "pid": Int(getpid()), "quick": quick])
    }

    func begin(_ index: Int) {
        cell = index
        if let folder {
            fflush(stdout); fflush(stderr)
            redirect(1, to: "\(folder)/cell-\(index).out")
            redirect(2, to: "\(folder)/cell-\(index).err")
        }
        cellStart = DispatchTime.now().uptimeNanoseconds
        record(["event": "begin", "cell": index, "time": Date().timeIntervalSince1970])
    }

    func end(_ index: Int) {
        fflush(stdout); fflush(stderr)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - cellStart) / 1e9
        record(["event": "end", "cell": index, "seconds": seconds])
        if failCell == index {
            // The should-fail cell ran to its end without trapping; nothing after it matters.
            record(["event": "finish"])
            exit(0)
        }
    }

    func finish() {
        fflush(stdout); fflush(stderr)
        record(["event": "finish"])
    }

    /// A fresh figure file name in the run folder for the current cell (`cell-K-N.png`, or `.svg`).
    func nextImagePath(extension suffix: String = "png") -> (file: String, path: String)? {
        guard let folder else { return nil }
        lock.lock(); defer { lock.unlock() }
        imageCount += 1
        let file = "cell-\(cell)-\(imageCount).\(suffix)"
        return (file, folder + "/" + file)
    }

    func nextGroup() -> Int {
        lock.lock(); defer { lock.unlock() }
        groupCount += 1
        return groupCount
    }

    private func redirect(_ descriptor: Int32, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        dup2(fd, descriptor)
        close(fd)
    }
}

// MARK: - Calls the generated chapter program makes (not for chapter authors)

/// Called once before the first cell.
public func _bookStart() {
    Session.shared.start()
    RenderHooks.install()
}

/// Marks the start of cell `index`: its output goes to its own files from here on.
public func _cellBegin(_ index: Int) { Session.shared.begin(index) }

/// Marks the end of cell `index`, with its run time.
public func _cellEnd(_ index: Int) { Session.shared.end(index) }

/// Called once after the last cell.
public func _bookEnd() { Session.shared.finish() }

/// Whether the `should-fail` cell `index` runs in this process. Normal runs skip every
/// should-fail cell; the runner checks each in its own run (`FVBOOK_FAIL_CELL`), so a cell
/// that traps as intended never stops the rest of the chapter.
public func _shouldFailRuns(_ index: Int) -> Bool { Session.shared.failCell == index }
