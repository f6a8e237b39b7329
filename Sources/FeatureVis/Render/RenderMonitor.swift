import Foundation

/// Observers of every render's progress in this process: how the chapter runtime reports the
/// renders a cell runs (as progress events) without each call passing a callback.
///
/// ```swift
/// RenderMonitor.observe { p in print("step \(p.step)/\(p.steps): \(p.objective)") }
/// ```
public enum RenderMonitor {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var observers: [@Sendable (RenderProgress) -> Void] = []

    /// Calls `observer` after every step of every render from now on (on the rendering thread).
    public static func observe(_ observer: @escaping @Sendable (RenderProgress) -> Void) {
        lock.lock(); defer { lock.unlock() }
        observers.append(observer)
    }

    static func report(_ progress: RenderProgress) {
        lock.lock()
        let current = observers
        lock.unlock()
        for observer in current { observer(progress) }
    }
}
