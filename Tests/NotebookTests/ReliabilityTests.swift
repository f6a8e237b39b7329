import Foundation
import Models
import TestSupport
import XCTest
@testable import Notebook

/// The build under stress: interrupted, run twice at once, pointed at folders it cannot write,
/// fed compiler output without locations, and the engine's messages from optimized code.
final class ReliabilityTests: NotebookTestCase {
    // MARK: - Helpers

    /// Waits up to `seconds` for `condition`.
    private func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Every file under `folder` (relative paths) with its contents.
    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
        }
        return files
    }

    /// Names under `folder` that look like leftovers of an unfinished write.
    private func temporaries(in folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if AtomicFiles.isTemporary((path as NSString).lastPathComponent) || path.contains(".tmp") { found.append(path) }
        }
        return found
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.isEmpty && !stat.contains(") Z ")
    }

    // MARK: - Interrupted builds

    /// SIGINT, then SIGTERM, while a chapter runs: the chapter program dies with the build, the
    /// site keeps its last complete pages and images with no temporary files, and the next build
    /// completes.
    func testInterruptedBuildLeavesNoPartialFilesAndTheNextBuildCompletes() throws {
        let site = scratch.appendingPathComponent("site"), cache = scratch.appendingPathComponent("cache")
        let book = ["--chapters", "Tests/Fixtures/books/interrupt", "--site", site.path, "--cache", cache.path]
        let first = try fvbook(["build"] + book)
        XCTAssertEqual(first.status, 0, first.stderr)
        let before = try snapshot(site)
        XCTAssertEqual(Set(before.keys.filter { $0.hasSuffix(".html") }), ["01-fast.html", "02-slow.html", "index.html"])
        XCTAssertEqual(before.keys.filter { $0.hasSuffix(".png") }.count, 2)

        for (signal, command) in [(SIGINT, ["build", "--force"]), (SIGTERM, ["run", "02-slow", "--force"])] {
            let pidFile = scratch.appendingPathComponent("chapter-\(signal).pid")
            let child = try start(command + book, environment: ["FVBOOK_TEST_SLEEP": "120", "FVBOOK_TEST_PIDFILE": pidFile.path],
                                  label: "interrupted-\(signal)")
            XCTAssertTrue(eventually(90) { FileManager.default.fileExists(atPath: pidFile.path) },
                          "the slow chapter never started: \(child.errors)")
            usleep(200_000)
            let chapterPID = try XCTUnwrap(pid_t(String(contentsOf: pidFile, encoding: .utf8)))
            kill(child.process.processIdentifier, signal)
            let status = child.wait()
            XCTAssertEqual(status, 128 + signal, child.errors)
            XCTAssertTrue(child.errors.contains("interrupted (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))"), child.errors)
            XCTAssertTrue(eventually(5) { !isAlive(chapterPID) }, "the chapter program \(chapterPID) outlived the build")
            XCTAssertEqual(temporaries(in: site), [], "signal \(signal)")
            XCTAssertEqual(temporaries(in: cache), [], "signal \(signal)")
            XCTAssertEqual(try snapshot(site), before, "the site is as the last complete build left it (signal \(signal))")
        }

        let next = try fvbook(["build"] + book)
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stdout.hasPrefix("2 passed, 0 failed"), next.stdout)
        XCTAssertEqual(try snapshot(site).keys.sorted(), before.keys.sorted())
    }

    /// fvbook's handling of SIGINT and SIGTERM does not leak into the programs it starts: the
    /// chapter program (and so any helper it starts) can still be stopped with either.
    func testProgramsTheBuildStartsDoNotIgnoreSignals() throws {
        let sigIgn = scratch.appendingPathComponent("sigign.txt")
        let run = try fvbook(["run", "02-slow", "--chapters", "Tests/Fixtures/books/interrupt",
                              "--site", scratch.appendingPathComponent("site").path,
                              "--cache", scratch.appendingPathComponent("cache").path, "--force"],
                             environment: ["FVBOOK_TEST_SIGIGN": sigIgn.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let text = try String(contentsOf: sigIgn, encoding: .utf8)
        let hex = try XCTUnwrap(text.split(separator: "\t").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let ignored = try XCTUnwrap(UInt64(hex, radix: 16), text)
        XCTAssertEqual(ignored & (1 << (UInt64(SIGINT) - 1)), 0, "SIGINT is ignored in the chapter program: \(text)")
        XCTAssertEqual(ignored & (1 << (UInt64(SIGTERM) - 1)), 0, "SIGTERM is ignored in the chapter program: \(text)")
    }

    /// What a `kill -9` in the middle of a write leaves is swept by the next build.
    func testTemporariesOfAKilledBuildAreSweptByTheNextOne() throws {
        let site = scratch.appendingPathComponent("site")
        let leftovers = [".index.html.4242.17.tmp", "01-state/.cell-1-1.png.4242.9.tmp", ".01-state.old.4242.3"]
        for path in leftovers {
            let url = site.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("half".utf8).write(to: url)
        }
        XCTAssertEqual(temporaries(in: site).count, 3)
        let report = try Harness.build("state", scratch: scratch)
        XCTAssertEqual(report.summary, "1 passed, 0 failed")
        XCTAssertEqual(temporaries(in: site), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("index.html").path))
    }

    // MARK: - Two builds at once

    /// Two locks on the same folder: the second waits, says so, and gets it when the first is released.
    func testSecondLockOnAFolderWaitsForTheFirst() throws {
        let folder = scratch.appendingPathComponent("site")
        let first = try BuildLock(folders: [folder, scratch.appendingPathComponent("cache")])
        let acquired = expectation(description: "second lock acquired")
        let messages = Locked<[String]>([])
        let gotIt = Locked(false)
        Thread.detachNewThread {
            do {
                let second = try BuildLock(folders: [folder]) { message in messages.mutate { $0.append(message) } }
                gotIt.mutate { $0 = true }
                second.release()
            } catch { XCTFail("\(error)") }
            acquired.fulfill()
        }
        XCTAssertTrue(eventually(5) { !messages.value.isEmpty })
        usleep(300_000)
        XCTAssertFalse(gotIt.value, "the second lock must wait while the first is held")
        XCTAssertEqual(messages.value, ["another fvbook build is using \(folder.path); waiting for it to finish …"])
        first.release()
        wait(for: [acquired], timeout: 10)
        XCTAssertTrue(gotIt.value)
    }

    /// A real `fvbook build` started while another build holds the site waits, then completes.
    func testBuildWaitsForAnotherBuildOfTheSameSite() throws {
        let site = scratch.appendingPathComponent("site"), cache = scratch.appendingPathComponent("cache")
        let holder = try BuildLock(folders: [site])
        let child = try start(["build", "--chapters", "Tests/Fixtures/books/state", "--site", site.path, "--cache", cache.path])
        XCTAssertTrue(eventually(60) { child.errors.contains("another fvbook build is using \(site.path); waiting") }, child.errors)
        usleep(500_000)
        XCTAssertTrue(child.process.isRunning)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("index.html").path),
                       "nothing is written while the other build holds the site")
        holder.release()
        XCTAssertEqual(child.wait(), 0, child.errors)
        XCTAssertTrue(child.output.hasPrefix("1 passed, 0 failed"), child.output)
        XCTAssertEqual(temporaries(in: site), [])
    }

    // MARK: - Folders that cannot be written

    /// A site folder whose parent is a regular file fails before any chapter runs (this holds
    /// for root too), naming the folder; through the CLI it is exit status 2.
    func testUnwritableSiteIsReportedWithItsPathBeforeAnythingRuns() throws {
        let file = scratch.appendingPathComponent("a-file")
        try Data("not a folder".utf8).write(to: file)
        let site = file.appendingPathComponent("site")
        var settings = Harness.settings(chapters: Harness.books.appendingPathComponent("state"), scratch: scratch)
        settings.site = site
        var started = 0
        let builder = BookBuilder(settings: settings, toolchain: try Harness.toolchain.get()) { event in
            if case .chapterStarted = event { started += 1 }
        }
        XCTAssertThrowsError(try builder.build()) { error in
            guard case let .cannotWrite(path, reason)? = error as? NotebookError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, site.path)
            XCTAssertEqual(reason, "\(file.path) is a file, not a folder")
            XCTAssertEqual("\(error)", "\(site.path): cannot write: \(file.path) is a file, not a folder")
        }
        XCTAssertEqual(started, 0, "no chapter runs when the site cannot be written")

        let run = try fvbook(["build", "--chapters", "Tests/Fixtures/books/state", "--site", site.path,
                              "--cache", scratch.appendingPathComponent("cache").path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("\(site.path): cannot write: \(file.path) is a file, not a folder"), run.stderr)
    }

    /// A page that cannot be replaced (a folder is in its way) is an error naming it; every
    /// other file of the previous site is intact and no temporary file is left.
    func testFailedPageWriteLeavesThePreviousSiteIntact() throws {
        _ = try Harness.build("state", scratch: scratch)
        let site = scratch.appendingPathComponent("site")
        let index = site.appendingPathComponent("index.html")
        let page = try Data(contentsOf: site.appendingPathComponent("01-state.html"))
        try FileManager.default.removeItem(at: index)
        try FileManager.default.createDirectory(at: index.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try Harness.build("state", scratch: scratch)) { error in
            guard case let .cannotWrite(path, _)? = error as? NotebookError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, index.path)
        }
        XCTAssertEqual(try Data(contentsOf: site.appendingPathComponent("01-state.html")), page)
        XCTAssertEqual(temporaries(in: site), [])
    }

    /// A full disk: every write is checked, and the error names the target and the reason.
    func testFullDiskIsAnErrorNamingThePath() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw XCTSkip("/dev/full is not available") }
        defer { close(fd) }
        XCTAssertThrowsError(try AtomicFiles.writeAll(Data(repeating: 7, count: 100_000), to: fd, path: "site/index.html")) { error in
            XCTAssertEqual(error as? NotebookError, .cannotWrite("site/index.html", String(cString: strerror(ENOSPC))))
            XCTAssertEqual("\(error)", "site/index.html: cannot write: No space left on device")
        }
        // Through a writable folder the same function writes everything.
        let url = scratch.appendingPathComponent("out.bin")
        let out = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(out) }
        try AtomicFiles.writeAll(Data(repeating: 7, count: 100_000), to: out, path: url.path)
        XCTAssertEqual(try Data(contentsOf: url).count, 100_000)
    }

    // MARK: - Compile errors without a location

    func testDiagnosticsWithoutALocationKeepTheRealError() {
        let output = """
        <unknown>:0: error: missing required module 'CPNG'
        error: emit-module command failed with exit code 1 (use -v to see invocation)
        """
        let diagnostics = ChapterCompiler.parseDiagnostics(output)
        XCTAssertEqual(diagnostics.map(\.message), ["missing required module 'CPNG'",
                                                    "emit-module command failed with exit code 1 (use -v to see invocation)"])
        XCTAssertEqual(diagnostics.map(\.file), ["<unknown>", ""])
        XCTAssertEqual(ChapterCompiler.primary(diagnostics)?.message, "missing required module 'CPNG'")

        let linker = """
        error: link command failed with exit code 1 (use -v to see invocation)
        /usr/bin/ld.gold: error: cannot find -lFVBookKit
        clang: error: linker command failed with exit code 1 (use -v to see invocation)
        """
        let linked = ChapterCompiler.parseDiagnostics(linker)
        XCTAssertEqual(linked.count, 3)
        XCTAssertEqual(ChapterCompiler.primary(linked)?.message, "cannot find -lFVBookKit")
        XCTAssertEqual(ChapterCompiler.primary(linked)?.file, "/usr/bin/ld.gold")

        // A source excerpt under a located error is not a diagnostic of its own, even if it looks like one.
        let excerpt = ChapterCompiler.parseDiagnostics("chapters/a.md:4:1: error: bad label\nerror: while true {}\n^")
        XCTAssertEqual(excerpt.count, 1)
        XCTAssertTrue(excerpt[0].text.contains("error: while true {}"))
    }

    /// A real swiftc failure outside the chapter (the C module maps are missing, so the engine's
    /// modules cannot be imported): the chapter's failure carries the compiler's real message.
    func testCompilerFailureOutsideTheChapterShowsTheRealError() throws {
        let real = try Harness.toolchain.get()
        let broken = Toolchain(swiftc: real.swiftc, swift: real.swift, binFolder: real.binFolder, root: scratch)
        let chapter = BookParser.parseChapter("# T\n\n```swift\nprint(1)\n```\n", path: "chapters/01-t.md")
        let compiled = ChapterCompiler.compile(chapter, toolchain: broken, work: scratch.appendingPathComponent("work"))
        XCTAssertNil(compiled.executable)
        let failure = try XCTUnwrap(compiled.failures.first)
        XCTAssertEqual(failure.kind, .compile)
        XCTAssertTrue(failure.message.contains("missing required module"), failure.message)
        XCTAssertFalse(failure.message.contains("command failed"), failure.message)
        XCTAssertTrue(failure.details.contains("missing required module"))
    }

    // MARK: - The engine's preconditions in optimized code

    /// `Tensor(shape: [2, 2], scalars: [1, 2, 3])` in a chapter: the engine (built with -O) still
    /// reports its message, at the chapter's Markdown line; the next chapter runs.
    func testEnginePreconditionMessageReachesTheChapterLine() throws {
        let report = try Harness.build("engine-precondition", scratch: scratch)
        let shape = try result(report, "01-shape.md")
        XCTAssertEqual(shape.cells.map(\.status), [.passed, .failed])
        let failure = try XCTUnwrap(shape.cells[1].failure)
        XCTAssertEqual(failure.kind, .trap)
        XCTAssertEqual(failure.message, "Fatal error: shape [2, 2] needs 4 scalars, got 3")
        XCTAssertEqual(failure.line, 12)
        XCTAssertTrue(failure.description.hasPrefix("\(Harness.path("engine-precondition", "01-shape.md")):12"), failure.description)
        XCTAssertTrue(try result(report, "02-fine.md").passed)
        XCTAssertTrue(try page("01-shape").contains("shape [2, 2] needs 4 scalars, got 3"))
    }
}

/// A value shared between threads in a test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func mutate(_ body: (inout Value) -> Void) { lock.lock(); defer { lock.unlock() }; body(&stored) }
}

/// Exit codes of every subcommand: 0 success, 1 a failing chapter or check, 2 bad usage or input.
final class ExitCodeTests: NotebookTestCase {

    /// A text file, a PNG cut in half and a missing file: one line naming the file, status 2.
    func testClassifyRejectsBadImagesWithStatusTwo() throws {
        let text = scratch.appendingPathComponent("notes.png")
        try Data("not an image\n".utf8).write(to: text)
        let photo = try Data(contentsOf: Harness.root.appendingPathComponent("data/photos/chelsea.png"))
        let truncated = scratch.appendingPathComponent("half.png")
        try photo.prefix(photo.count / 2).write(to: truncated)
        let missing = scratch.appendingPathComponent("missing.png")
        for (path, expected) in [(text.path, "not a PNG file"), (truncated.path, "corrupt PNG"), (missing.path, "no such image file")] {
            let run = try fvbook(["classify", path])
            XCTAssertEqual(run.status, 2, path)
            XCTAssertEqual(run.stdout, "")
            XCTAssertTrue(run.stderr.hasPrefix("fvbook classify: \(path): \(expected)"), run.stderr)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "one line: \(run.stderr)")
        }
    }

    /// An empty model cache: `classify` and `visualize` name the expected path and `make setup`.
    func testMissingWeightsExitWithStatusTwoNamingThePathAndTheSetupCommand() throws {
        let empty = scratch.appendingPathComponent("empty-cache")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let expected = empty.appendingPathComponent("efficientnet-lite0-57934424.pth").path
        let runs = [
            try fvbook(["classify", "data/photos/chelsea.png"], environment: ["FVBOOK_CACHE": empty.path]),
            try fvbook(["visualize", "--layer", "_blocks.8", "--channel", "0", "-o", scratch.appendingPathComponent("v.png").path],
                       environment: ["FVBOOK_CACHE": empty.path]),
        ]
        for run in runs {
            XCTAssertEqual(run.status, 2, run.stderr)
            XCTAssertTrue(run.stderr.contains("pretrained weights not found at \(expected)"), run.stderr)
            XCTAssertTrue(run.stderr.contains("make setup"), run.stderr)
        }
    }

    /// Unknown layer, channel out of range, negative size, zero steps, a misspelt method, a
    /// diverging learning rate: status 2 with the valid values (or the step), and no image written.
    func testVisualizeRejectsBadArgumentsWithStatusTwo() throws {
        do { _ = try ModelCache.weights(named: EfficientNetLite.Variant.lite0.weightsFileName) } catch let error as MissingWeightsError {
            throw missingWeights(error)
        }
        let output = scratch.appendingPathComponent("v.png").path
        let cases: [([String], [String])] = [
            (["--layer", "blocks.8", "--channel", "0"], ["unknown layer `blocks.8` in efficientnet-lite0 — did you mean `_blocks.8`?", "Valid layers: stem, "]),
            (["--layer", "_blocks.8", "--channel", "112"], ["channel 112 is out of range for layer `_blocks.8`: valid channels are 0…111"]),
            (["--layer", "_blocks.8", "--channel=-1"], ["valid channels are 0…111"]),
            (["--layer", "_blocks.8", "--channel", "0", "--size=-5"], ["invalid size -5: valid values are 8…4096"]),
            (["--layer", "_blocks.8", "--channel", "0", "--steps", "0"], ["invalid steps 0: valid values are 1…1000000"]),
            (["--layer", "_blocks.8", "--channel", "0", "--method", "multscale"], ["did you mean `multiscale`?"]),
            // A learning rate that overflows: stopped at the step, naming the objective.
            (["--layer", "_blocks.2", "--channel", "0", "--size", "32", "--steps", "4", "--learning-rate", "3e38"],
             ["became NaN or infinite at step 2 of objective channel(_blocks.2, 0); try a lower learning rate"]),
        ]
        for (arguments, expected) in cases {
            let run = try fvbook(["visualize"] + arguments + ["-o", output, "--no-metrics"])
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            for text in expected { XCTAssertTrue(run.stderr.contains(text), "\(arguments): \(run.stderr)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        }
    }

    /// Usage errors of every subcommand are status 2; `--help` is 0.
    func testUsageErrorsAreStatusTwo() throws {
        for arguments in [["visualize"], ["classify"], ["run"], ["nosuchcommand"], ["test", "--timeout", "0"],
                          ["visualize", "--layer", "_blocks.8", "--channel", "x", "-o", "a.png"]] {
            let run = try fvbook(arguments)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            XCTAssertFalse(run.stderr.isEmpty, "\(arguments)")
        }
        XCTAssertEqual(try fvbook(["--help"]).status, 0)
        XCTAssertEqual(try fvbook(["build", "--help"]).status, 0)
    }

    /// `fvbook build` writes the whole site even when a chapter fails, then exits with status 1.
    func testBuildWithAFailingChapterWritesTheSiteAndExitsWithStatusOne() throws {
        let run = try fvbook(["build", "--chapters", "Tests/Fixtures/books/check",
                              "--site", scratch.appendingPathComponent("site").path,
                              "--cache", scratch.appendingPathComponent("cache").path])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("0 passed, 1 failed"), run.stdout)
        XCTAssertTrue(run.stdout.contains("01-check.md:6: check failed: two and two make five"), run.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("site/01-check.html").path))
    }
}
