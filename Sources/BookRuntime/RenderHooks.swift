import FeatureVis
import Foundation

/// What the chapter runtime connects in FeatureVis at start-up: the memoized-render store the
/// runner chose (`FVBOOK_RENDER_CACHE`, bounded by `FVBOOK_RENDER_CACHE_LIMIT` bytes; empty or
/// unset: off), and render steps reported to the runner as `progress` events of the current cell
/// (the served page shows them while the chapter runs).
enum RenderHooks {
    static func install() {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["FVBOOK_RENDER_CACHE"], !folder.isEmpty {
            let limit = environment["FVBOOK_RENDER_CACHE_LIMIT"].flatMap { Int($0) }
            if let limit { RenderMemo.enable(folder: folder, limit: limit) } else { RenderMemo.enable(folder: folder) }
        }
        let session = Session.shared
        guard session.folder != nil else { return }
        RenderProgress.observer = { progress in
            session.record(["event": "progress", "cell": session.cell, "step": progress.step, "steps": progress.steps])
        }
    }
}
