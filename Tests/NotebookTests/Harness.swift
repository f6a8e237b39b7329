import Foundation
import XCTest
@testable import Notebook

/// Runs fixture mini-books through the real pipeline: real `swiftc`, real child processes.
///
/// The chapter library (`libFVBookKit.so`) must be built next to this test bundle; `swift build
/// --build-tests` (and so `make test`) builds it. Building it from inside `swift test` would wait
/// forever on SwiftPM's lock, so a missing or stale library fails the tests with the command to run.
enum Harness {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let books = root.appendingPathComponent("Tests/Fixtures/books")

    static let toolchain: Result<Toolchain, Error> = Result {
        let toolchain = try Toolchain.locate(root: root, binFolder: Toolchain.folderOfRunningExecutable())
        if let problem = toolchain.libraryProblem() {
            throw NotebookError.toolchain("\(problem): run `swift build --build-tests` (or `swift build --product FVBookKit`) before `swift test --skip-build`")
        }
        return toolchain
    }

    /// A fresh scratch folder for one test, removed by the caller's tearDown.
    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Settings for `chapters` with site, cache and work folders inside `scratch`.
    static func settings(chapters: URL, scratch: URL, quick: Bool = false, force: Bool = false,
                         timeout: Double = 120) -> BuildSettings {
        BuildSettings(root: root, quick: quick, force: force, chapters: chapters,
                      site: scratch.appendingPathComponent("site"), cache: scratch.appendingPathComponent("cache"),
                      work: scratch.appendingPathComponent("work"), defaultTimeout: timeout)
    }

    static func builder(_ settings: BuildSettings) throws -> BookBuilder {
        BookBuilder(settings: settings, toolchain: try toolchain.get())
    }

    /// Builds fixture book `name` into `scratch` and returns the report.
    static func build(_ name: String, scratch: URL, quick: Bool = false) throws -> BuildReport {
        try builder(settings(chapters: books.appendingPathComponent(name), scratch: scratch, quick: quick)).build()
    }

    /// The chapter path as diagnostics show it (relative to the package root).
    static func path(_ book: String, _ file: String) -> String { "Tests/Fixtures/books/\(book)/\(file)" }
}

/// Base class: a scratch folder per test.
class NotebookTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Harness.scratch()
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    func result(_ report: BuildReport, _ file: String, line: UInt = #line) throws -> ChapterResult {
        try XCTUnwrap(report.results.first { $0.path.hasSuffix("/" + file) }, "no result for \(file)", line: line)
    }

    func page(_ slug: String) throws -> String {
        try String(contentsOf: scratch.appendingPathComponent("site/\(slug).html"), encoding: .utf8)
    }

    // MARK: - The fvbook executable

    /// A running `fvbook` child with its output in files under the scratch folder.
    struct Child {
        let process: Process
        let stdout: URL, stderr: URL
        var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
        func wait() -> Int32 { process.waitUntilExit(); return process.terminationStatus }
    }

    /// Starts the built `fvbook` in the project root with `arguments` and extra `environment`.
    func start(_ arguments: [String], environment: [String: String] = [:], label: String = "fvbook") throws -> Child {
        let process = Process()
        process.executableURL = try Harness.toolchain.get().binFolder.appendingPathComponent("fvbook")
        process.arguments = arguments
        process.currentDirectoryURL = Harness.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = scratch.appendingPathComponent("\(label).out"), err = scratch.appendingPathComponent("\(label).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Child(process: process, stdout: out, stderr: err)
    }

    /// Runs the built `fvbook` to its end: exit status, standard output and error.
    func fvbook(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try start(arguments, environment: environment)
        let status = child.wait()
        return (status, child.output, child.errors)
    }
}
