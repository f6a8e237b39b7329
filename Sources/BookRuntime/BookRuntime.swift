import Foundation

// BookRuntime: what chapter cells call. Linked into every chapter program (through the FVBookKit
// library); the runner (module Notebook) reads what it records.
//
// A chapter program talks to the runner through a *run folder* given in `FVBOOK_RUN_DIR`:
//
// * `events.jsonl` — one JSON object per line, written with one `write(2)` each (so a crash never
//   loses an event already reported): `start`, `begin`/`end` of each cell (with seconds), `image`,
//   `check`, `finish`. The runner's `RunEvent` decodes exactly these keys.
// * `cell-K.out` / `cell-K.err` — cell K's standard output and error: at each cell boundary the
//   runtime points file descriptors 1 and 2 at the next cell's files, so output (and a trap's
//   message and backtrace) belongs to the cell that produced it.
// * `cell-K-N.png` — images passed to `show`.
//
// Other settings, read once at start-up: `FVBOOK_QUICK=1` (quick mode) and `FVBOOK_FAIL_CELL=K`
// (run only as far as the `should-fail` cell K, which then runs instead of being skipped).

/// Whether the chapter runs in quick mode (`FVBOOK_QUICK=1`): tests run every chapter with small
/// step counts and sizes, so chapters scale their work with ``scaled(_:quick:)``.
///
/// ```swift
/// let steps = quick ? 32 : 512
/// ```
public let quick: Bool = ProcessInfo.processInfo.environment["FVBOOK_QUICK"] == "1"

/// `full` normally, `quick` in quick mode: one place for a chapter's sizes.
///
/// ```swift
/// let image = visualizeFeature(layer: "_blocks.6", channel: 3, steps: scaled(512, quick: 24))
/// ```
@inlinable
public func scaled<Value>(_ full: Value, quick quickValue: Value) -> Value {
    quick ? quickValue : full
}
