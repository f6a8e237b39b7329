import Foundation

/// What the server pushes to open pages, one JSON object per Server-Sent Event.
///
/// `queued` (chapter) · `started` (chapter) · `cell` (chapter, cell, line: the cell now running)
/// · `render` (chapter, cell, step, steps) · `finished` (chapter, passed, failures) · `error`
/// (chapter, message).
public struct LiveEvent: Codable, Equatable, Sendable {
    public var type: String
    /// The chapter's slug.
    public var chapter: String
    public var cell: Int?
    public var line: Int?
    public var step: Int?
    public var steps: Int?
    public var passed: Bool?
    public var message: String?

    public init(type: String, chapter: String, cell: Int? = nil, line: Int? = nil, step: Int? = nil,
                steps: Int? = nil, passed: Bool? = nil, message: String? = nil) {
        self.type = type
        self.chapter = chapter
        self.cell = cell
        self.line = line
        self.step = step
        self.steps = steps
        self.passed = passed
        self.message = message
    }
}

/// Fans events out to every open page's event stream, and knows which chapter pages are open.
public final class LiveEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var subscribers: [UUID: (page: String, continuation: AsyncStream<String>.Continuation)] = [:]
    /// Render progress is sent at most this often per chapter (the page cannot show more).
    private let renderInterval = 0.1
    private var lastRender: [String: Date] = [:]

    public init() {}

    /// A stream of encoded events for a page showing `page` (a chapter slug, or "index").
    public func subscribe(page: String) -> (id: UUID, stream: AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        lock.lock(); subscribers[id] = (page, continuation); lock.unlock()
        return (id, stream)
    }

    public func unsubscribe(_ id: UUID) {
        lock.lock(); let subscriber = subscribers.removeValue(forKey: id); lock.unlock()
        subscriber?.continuation.finish()
    }

    /// The chapter slugs that some open page shows.
    public var openPages: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return Set(subscribers.values.map(\.page))
    }

    public func publish(_ event: LiveEvent) {
        lock.lock()
        if event.type == "render", event.step != event.steps {
            let now = Date()
            if let last = lastRender[event.chapter], now.timeIntervalSince(last) < renderInterval { lock.unlock(); return }
            lastRender[event.chapter] = now
        }
        let targets = subscribers.values.map(\.continuation)
        lock.unlock()
        guard let data = try? JSONEncoder().encode(event), let text = String(data: data, encoding: .utf8) else { return }
        for continuation in targets { continuation.yield(text) }
    }
}
