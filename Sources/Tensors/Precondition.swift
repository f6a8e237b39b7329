// Swift's `precondition` and `preconditionFailure` print their message only in unoptimized
// builds; the engine is compiled with -O, where they trap silently, so a chapter's mistake
// (`Tensor(shape: [2, 2], scalars: [1, 2, 3])`) would reach the reader as a bare crash. These
// versions shadow the standard library's in every module of this package that imports Tensors
// (Models, FeatureVis, BookRuntime) and go through `fatalError`, which prints its message in
// every build; the book's runner then shows it at the chapter's line.
//
// They are `package`, not `public`: chapter programs are compiled outside the package, so their
// own `precondition` stays the standard library's and still traps with "Precondition failed"
// (a public version shadowed it too and changed that text; see commit 358f64c).

/// Checks a programmer's assumption; when it fails, stops the program with `message` in every
/// build configuration.
///
/// ```swift
/// precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) scalars")
/// ```
@inline(__always)
package func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                          file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Stops the program with `message` in every build configuration (see `precondition`).
@inline(__always)
package func preconditionFailure(_ message: @autoclosure () -> String = String(),
                                 file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
