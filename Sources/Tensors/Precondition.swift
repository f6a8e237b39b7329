// Swift's `precondition` and `preconditionFailure` print their message only in unoptimized
// builds; this module is compiled with -O, where they trap silently, so a chapter's mistake
// (`Tensor(shape: [2, 2], scalars: [1, 2, 3])`) would reach the reader as a bare crash. These
// module-internal versions shadow the standard library's and go through `fatalError`, which
// prints its message in every build; the book's runner then shows it at the chapter's line.
// (The same file is in Tensors, Models, FeatureVis and BookRuntime.)

/// Checks a programmer's assumption; when it fails, stops the program with `message` in every
/// build configuration.
///
/// ```swift
/// precondition(shape.reduce(1, *) == scalars.count, "shape \(shape) needs \(shape.reduce(1, *)) scalars")
/// ```
@inline(__always)
func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
                  file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// Stops the program with `message` in every build configuration (see `precondition`).
@inline(__always)
func preconditionFailure(_ message: @autoclosure () -> String = String(),
                         file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
