// The load-time correction of OpenBLAS's core, checked in child processes (OpenBLAS picks its core
// once, at load: only a fresh process shows what a given environment gives). The child is this
// test binary running one test, `testReportsItsCore`, which writes its core to a file.
import Foundation
import XCTest
import Tensors

final class BLASCoreTests: XCTestCase {
    /// The variable that asks `testReportsItsCore` to write its report (name, reason, replaced core).
    private static let reportVariable = "FVBOOK_TEST_BLAS_CORE_REPORT"

    /// Runs `testReportsItsCore` in a child with `OPENBLAS_CORETYPE` set to `coreType` (nil: unset),
    /// and returns the lines it wrote.
    private func child(coreType: String?) throws -> [String] {
        let report = FileManager.default.temporaryDirectory
            .appendingPathComponent("fvbook-blas-core-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: report) }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment[Self.reportVariable] = report.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["TensorsTests.BLASCoreTests/testReportsItsCore"]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "the child test failed")
        let text = try String(contentsOf: report, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The child side: this process's core is at least the CPU's unless the user chose it, and the
    /// description names the core and the reason.
    func testReportsItsCore() throws {
        let core = BLASCore.current
        XCTAssertTrue(core.description.hasPrefix(core.name + " ("))
        switch core.reason {
        case .setByUser:
            XCTAssertNotNil(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"])
        case .chosenByOpenBLAS, .corrected:
            // Unset, or a value OpenBLAS does not know (left in the environment as the user set it).
            if let value = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
                XCTAssertNil(BLASCore.level(of: value), "OPENBLAS_CORETYPE=\(value) is a core: it should have won")
            }
            if let wanted = BLASCore.supportedByCPU, let level = BLASCore.level(of: core.name) {
                XCTAssertGreaterThanOrEqual(level, BLASCore.level(of: wanted)!, "\(core) on a \(wanted) CPU")
            }
        }
        guard let path = ProcessInfo.processInfo.environment[Self.reportVariable] else { return }
        let replaced: String
        switch core.reason {
        case .chosenByOpenBLAS: replaced = "chosen"
        case .corrected(let from): replaced = "corrected from " + from
        case .setByUser: replaced = "user"
        }
        try (core.name + "\n" + replaced).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// With no OPENBLAS_CORETYPE a child runs the core its CPU supports: OpenBLAS's own choice when
    /// that was as strong, otherwise the correction names what it replaced, a weaker core.
    func testChildWithoutASettingRunsTheCPUsCore() throws {
        let wanted = try XCTUnwrap(BLASCore.supportedByCPU, "this test needs an AVX2 or AVX-512 CPU")
        let lines = try child(coreType: nil)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        let level = try XCTUnwrap(BLASCore.level(of: lines[0]), "unknown core \(lines[0])")
        XCTAssertGreaterThanOrEqual(level, BLASCore.level(of: wanted)!)
        if lines[1].hasPrefix("corrected from ") {
            XCTAssertEqual(lines[0], wanted)
            let from = String(lines[1].dropFirst("corrected from ".count))
            XCTAssertTrue(BLASCore.replaces(from, with: wanted), "replaced \(from), which the correction keeps")
        } else {
            XCTAssertEqual(lines[1], "chosen")
            XCTAssertFalse(BLASCore.replaces(lines[0], with: wanted), "\(lines[0]) kept on a \(wanted) CPU")
        }
    }

    /// A user's OPENBLAS_CORETYPE wins, even a weak one, and a strong one is kept as given.
    func testChildWithAUserSettingKeepsIt() throws {
        XCTAssertEqual(try child(coreType: "Prescott"), ["Prescott", "user"])
        XCTAssertEqual(try child(coreType: "Haswell"), ["Haswell", "user"])
    }

    /// An empty or misspelt OPENBLAS_CORETYPE is no choice (OpenBLAS ignores it and picks by itself,
    /// Prescott on CPUs newer than it knows): the child runs the CPU's core as if it were unset.
    func testChildWithAnUnknownSettingRunsTheCPUsCore() throws {
        let wanted = try XCTUnwrap(BLASCore.supportedByCPU, "this test needs an AVX2 or AVX-512 CPU")
        for value in ["", "SkylakeXX"] {
            let lines = try child(coreType: value)
            XCTAssertEqual(lines.count, 2, "\(lines)")
            XCTAssertNotEqual(lines[1], "user", "OPENBLAS_CORETYPE=\(value) counted as the user's choice")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(BLASCore.level(of: lines[0])), BLASCore.level(of: wanted)!,
                                        "OPENBLAS_CORETYPE=\(value): \(lines)")
        }
    }

    /// Which cores the correction replaces by the CPU's: weaker ones, and Zen by Haswell (same
    /// sgemm kernels, faster β pass); never an equal or stronger one, nor a name it does not know.
    func testWhichCoresAreReplaced() {
        XCTAssertTrue(BLASCore.replaces("Prescott", with: "Haswell"))
        XCTAssertTrue(BLASCore.replaces("Sandybridge", with: "SkylakeX"))
        XCTAssertTrue(BLASCore.replaces("Zen", with: "Haswell"))
        XCTAssertTrue(BLASCore.replaces("ZEN", with: "SkylakeX"))
        XCTAssertFalse(BLASCore.replaces("Haswell", with: "Haswell"))
        XCTAssertFalse(BLASCore.replaces("Excavator", with: "Haswell"))
        XCTAssertFalse(BLASCore.replaces("SkylakeX", with: "Haswell"))
        XCTAssertFalse(BLASCore.replaces("Cooperlake", with: "SkylakeX"))
        XCTAssertFalse(BLASCore.replaces("Neoverse", with: "Haswell"))
    }

    /// The levels the correction compares: a wrong table would correct strong cores or miss weak ones.
    func testCoreLevels() {
        XCTAssertEqual(BLASCore.level(of: "Prescott"), 0)
        XCTAssertEqual(BLASCore.level(of: "Sandybridge"), 1)
        XCTAssertEqual(BLASCore.level(of: "HASWELL"), 2)
        XCTAssertEqual(BLASCore.level(of: "Zen"), 2)
        XCTAssertEqual(BLASCore.level(of: "SkylakeX"), 3)
        XCTAssertNil(BLASCore.level(of: "Neoverse"))
    }
}
