import Foundation

// BookRuntime: what chapter cells call. Linked into every chapter program (through the FVBookKit
// library); the runner (module Notebook) reads what it records.
//
// A chapter program talks to the runner through a *run folder*: the environment variables, file
// names and event schema are `BookProtocol`'s (`RunSettings`, `RunFolder`, `RunEvent`), which the
// runner imports too.

/// Whether the chapter runs in quick mode (`FVBOOK_QUICK=1`): tests run every chapter with small
/// step counts and sizes, so chapters scale their work with ``scaled(_:quick:)``.
///
/// ```swift
/// let steps = quick ? 32 : 512
/// ```
public let quick: Bool = Session.shared.settings.quick

/// `full` normally, `quick` in quick mode: one place for a chapter's sizes.
///
/// ```swift
/// let image = visualizeFeature(layer: "_blocks.6", channel: 3, steps: scaled(512, quick: 24))
/// ```
@inlinable
public func scaled<Value>(_ full: Value, quick quickValue: Value) -> Value {
    quick ? quickValue : full
}
