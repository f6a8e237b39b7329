import BookProtocol
import FeatureVis
import RenderCache
import Foundation
import Tensors

/// The chapter program's side of the runner protocol (`BookProtocol`): cell boundaries, events,
/// output files.
///
/// One per process. Without a run folder (a chapter program started by hand) it records
/// nothing and leaves standard output alone; `show` and `check` then only print.
final class Session {
    static let shared = Session()

    /// What the runner said through the environment, read once.
    let settings: RunSettings
    private var events: Int32 = -1
    private(set) var cell = 0
    private var cellStart: UInt64 = 0
    private var imageCount = 0
    private var groupCount = 0
    private var lastProgress: UInt64 = 0
    private let lock = NSLock()

    /// The run folder, or nil outside a book run.
    var folder: String? { settings.folder }

    private init() {
        settings = RunSettings(environment: ProcessInfo.processInfo.environment)
        if let folder = settings.folder {
            let path = folder + "/" + RunFolder.events
            events = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            precondition(events >= 0, "BookRuntime: cannot open \(path): \(String(cString: strerror(errno)))")
        }
        // Unbuffered: output printed before a trap must not die in a stdio buffer.
        setvbuf(stdout, nil, _IONBF, 0)
    }

    /// Appends one event as a JSON line with a single write.
    func record(_ event: RunEvent) {
        guard events >= 0 else { return }
        lock.lock(); defer { lock.unlock() }
        guard let data = try? event.jsonLine() else { preconditionFailure("BookRuntime: cannot encode \(event)") }
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
        record(.start(pid: Int(getpid()), quick: settings.quick))
        // The memoized renders the runner chose (off when it named no folder).
        if let store = settings.renderCache {
            RenderMemo.enable(folder: store, limit: settings.renderCacheLimit ?? RenderStore.defaultLimit)
        }
        guard folder != nil else { return }
        RenderMonitor.observe { progress in Session.shared.renderProgress(progress) }
    }

    /// Reports a render's step: the first, the last, and at most five a second in between.
    private func renderProgress(_ progress: RenderProgress) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        let due = progress.step == 1 || progress.step == progress.steps || now - lastProgress >= 200_000_000
        if due { lastProgress = now }
        lock.unlock()
        guard due else { return }
        record(.renderProgress(cell: cell, step: progress.step, steps: progress.steps, objective: progress.objective))
    }

    func begin(_ index: Int) {
        cell = index
        if let folder {
            fflush(stdout); fflush(stderr)
            redirect(1, to: folder + "/" + RunFolder.output(cell: index, .out))
            redirect(2, to: folder + "/" + RunFolder.output(cell: index, .err))
        }
        cellStart = DispatchTime.now().uptimeNanoseconds
        record(.begin(cell: index, time: Date().timeIntervalSince1970))
    }

    func end(_ index: Int) {
        fflush(stdout); fflush(stderr)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - cellStart) / 1e9
        record(.end(cell: index, seconds: seconds))
        if settings.failCell == index {
            // The should-fail cell ran to its end without trapping; nothing after it matters.
            record(.finish)
            exit(0)
        }
    }

    func finish() {
        fflush(stdout); fflush(stderr)
        record(.finish)
    }

    /// A fresh figure file name in the run folder for the current cell (`cell-K-N.png`, or `.svg`).
    func nextImagePath(extension suffix: String = "png") -> (file: String, path: String)? {
        guard let folder else { return nil }
        lock.lock(); defer { lock.unlock() }
        imageCount += 1
        let file = RunFolder.figure(cell: cell, number: imageCount, extension: suffix)
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
public func _bookStart() { Session.shared.start() }

/// Marks the start of cell `index`: its output goes to its own files from here on.
public func _cellBegin(_ index: Int) { Session.shared.begin(index) }

/// Marks the end of cell `index`, with its run time.
public func _cellEnd(_ index: Int) { Session.shared.end(index) }

/// Called once after the last cell.
public func _bookEnd() { Session.shared.finish() }

/// Whether the `should-fail` cell `index` runs in this process. Normal runs skip every
/// should-fail cell; the runner checks each in its own run (`FVBOOK_FAIL_CELL`), so a cell
/// that traps as intended never stops the rest of the chapter.
public func _shouldFailRuns(_ index: Int) -> Bool { Session.shared.settings.failCell == index }
