import Foundation
import Notebook

/// An edit of one cell, as the page sends it.
public struct CellEditRequest: Codable, Sendable {
    /// The chapter's path relative to the project root (`chapters/01-basic.md`).
    public var chapter: String
    public var cell: Int
    /// The code the editor started from.
    public var base: String
    public var code: String
}

/// The server's one build thread: chapter runs and cell edits, in arrival order, one at a time.
///
/// An edit that arrives while its chapter runs waits behind that run, then is written and runs
/// the chapter again; a run asked for while the same run is already waiting is not queued twice.
/// Each run goes through the same ``BookBuilder`` as `fvbook run`, so its caches and its
/// ``BuildLock`` apply (a `fvbook build` in a terminal and the server never write a site at once).
final class BuildQueue: @unchecked Sendable {
    enum Job {
        case run(slug: String, force: Bool)
        case edit(CellEditRequest, reply: @Sendable (Result<String, Error>) -> Void)
    }

    private let condition = NSCondition()
    /// Waiting jobs; `urgent` ones (what a reader just did) go before the start-up sweep.
    private var jobs: [(job: Job, urgent: Bool)] = []
    private let makeBuilder: (_ force: Bool, _ progress: @escaping (ProgressEvent) -> Void) -> BookBuilder
    private let events: LiveEvents
    private let terminal: (ProgressEvent) -> Void
    /// Told about files the queue writes, so they do not count as changes made on disk.
    var wrote: (URL) -> Void = { _ in }

    init(events: LiveEvents, terminal: @escaping (ProgressEvent) -> Void,
         makeBuilder: @escaping (_ force: Bool, _ progress: @escaping (ProgressEvent) -> Void) -> BookBuilder) {
        self.events = events
        self.terminal = terminal
        self.makeBuilder = makeBuilder
    }

    func start() {
        let thread = Thread { [self] in
            while true { perform(next()) }
        }
        thread.name = "fvbook.serve.builds"
        thread.start()
    }

    /// Adds a job; a run already waiting for the same chapter absorbs a new one (and becomes
    /// urgent if the new one is).
    func enqueue(_ job: Job, urgent: Bool = true) {
        condition.lock()
        if case let .run(slug, force) = job {
            let waiting = jobs.firstIndex {
                if case let .run(other, otherForce) = $0.job { return other == slug && (otherForce || !force) }
                return false
            }
            if let waiting {
                if urgent && !jobs[waiting].urgent {
                    jobs.remove(at: waiting)
                } else {
                    condition.unlock()
                    return
                }
            }
            events.publish(LiveEvent(type: "queued", chapter: slug))
        }
        let position = urgent ? (jobs.firstIndex { !$0.urgent } ?? jobs.count) : jobs.count
        jobs.insert((job, urgent), at: position)
        condition.signal()
        condition.unlock()
    }

    private func next() -> Job {
        condition.lock(); defer { condition.unlock() }
        while jobs.isEmpty { condition.wait() }
        return jobs.removeFirst().job
    }

    private func perform(_ job: Job) {
        switch job {
        case let .run(slug, force):
            run(slug, force: force)
        case let .edit(request, reply):
            let slug = ((request.chapter as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                try write(request)
                reply(.success(slug))
            } catch {
                reply(.failure(error))
                return
            }
            run(slug, force: false)
        }
    }

    /// Writes the edited cell into its chapter file (atomically; the rest of the file unchanged).
    private func write(_ request: CellEditRequest) throws {
        let builder = makeBuilder(false) { _ in }
        let book = try builder.loadBook()
        guard let chapter = book.chapters.first(where: { $0.path == request.chapter }) else {
            throw ServeError.notAChapter(request.chapter)
        }
        // Relative to the root, or absolute for a chapters folder outside it.
        let file = URL(fileURLWithPath: chapter.path, relativeTo: builder.settings.root).standardizedFileURL
        let source = try String(contentsOf: file, encoding: .utf8)
        let text = try CellEdit.apply(to: source, chapter: chapter, cell: request.cell, base: request.base, code: request.code)
        try CellEdit.write(text, to: file)
        wrote(file)
    }

    private func run(_ slug: String, force: Bool) {
        events.publish(LiveEvent(type: "started", chapter: slug))
        let builder = makeBuilder(force) { [events, terminal] event in
            terminal(event)
            switch event {
            case let .cellStarted(chapter, cell, line):
                events.publish(LiveEvent(type: "cell", chapter: chapter.slug, cell: cell, line: line))
            case let .renderProgress(chapter, cell, step, steps, _):
                events.publish(LiveEvent(type: "render", chapter: chapter.slug, cell: cell, step: step, steps: steps))
            case let .waiting(message):
                events.publish(LiveEvent(type: "waiting", chapter: slug, message: message))
            default: break
            }
        }
        do {
            let report = try builder.run(chapterNamed: slug)
            let passed = report.failed.isEmpty
            events.publish(LiveEvent(type: "finished", chapter: slug, passed: passed,
                                     message: report.failureLines.joined(separator: "\n")))
        } catch {
            events.publish(LiveEvent(type: "error", chapter: slug, message: "\(error)"))
        }
    }
}

/// Requests the server refuses, beyond ``RequestGuard``'s.
public enum ServeError: Error, CustomStringConvertible, Equatable {
    case notAChapter(String)
    case badRequest(String)

    public var description: String {
        switch self {
        case let .notAChapter(path): return "refused: \(path) is not a chapter of this book under its chapters folder"
        case let .badRequest(reason): return "bad request: \(reason)"
        }
    }
}
