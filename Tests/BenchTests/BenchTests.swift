// The benchmark's parts on TinyNet (no 19 MB weights): FLOPs counted on the real network against a
// hand count, the real render loop timed step by step, and the report's formatting.
import Foundation
import XCTest
@testable import Bench
import FeatureVis
@testable import Models
import Tensors

final class BenchTests: XCTestCase {
    private static let tinyPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference/tiny-zip.pth").path

    private func tiny() throws -> TinyNet { try TinyNet.load(from: Self.tinyPath) }

    /// TinyNet at 16 px: conv 3→8 3×3 on 16×16, max pool, conv 8→16 3×3 on 8×8, pool, linear 16→10.
    /// A step is the forward pass and the input gradient, which costs each product again.
    func testStepFLOPsMatchAHandCountOnTinyNet() throws {
        let conv0 = 2.0 * 8 * 3 * 9 * (16 * 16)    // 2 · Cout · Cin · kh · kw · Hout · Wout
        let conv3 = 2.0 * 16 * 8 * 9 * (8 * 8)
        let linear = 2.0 * 16 * 10
        let net = try tiny()
        XCTAssertEqual(try stepFLOPs(network: net, layer: "classifier", side: 16),
                       KernelFLOPs(gemm: 2 * (conv0 + conv3 + linear), depthwise: 0))
        // Truncated at the second convolution: the classifier is not run.
        XCTAssertEqual(try stepFLOPs(network: net, layer: "features.4", side: 16).gemm, 2 * (conv0 + conv3))
        // Per image whatever the batch.
        XCTAssertEqual(try stepFLOPs(network: net, layer: "features.2", side: 16, batch: 3).gemm, 2 * conv0)
    }

    /// The depthwise counter counts depthwise convolutions (forward and input gradient) apart from GEMMs.
    func testDepthwiseWorkIsCountedApart() {
        let x = Tape().variable(Tensor(shape: [2, 4, 9, 9], repeating: 1))
        let w = Tensor(shape: [4, 1, 3, 3], repeating: 0.1)
        let (_, flops) = KernelFLOPs.counting {
            _ = x.tape.gradients(of: conv2d(x, weight: w, bias: nil, padding: .same, groups: 4).mean())[x]
        }
        XCTAssertEqual(flops, KernelFLOPs(gemm: 0, depthwise: 2 * (2.0 * 2 * 4 * 9 * 81)))
        XCTAssertEqual(KernelFLOPs.counting { 1 }.flops.total, 0, "counting must start from zero")
    }

    /// The steps are the real render loop's: as many timings as timed steps, each positive, and
    /// the process's CPU time over the wall time of the render.
    func testMeasureStepsTimesTheRenderLoop() throws {
        var plan = BenchPlan.quick
        plan.minSteps = 4
        plan.maxSteps = 4
        let run = try measureSteps(network: try tiny(), layer: "features.4", size: 16, batch: 2, plan: plan, repetitions: nil)
        XCTAssertEqual(run.ms.count, 4)
        XCTAssertTrue(run.ms.allSatisfy { $0 > 0 }, "\(run.ms)")
        XCTAssertGreaterThan(run.coresBusy, 0)
        XCTAssertThrowsError(try measureSteps(network: try tiny(), layer: "features.9", size: 16, batch: 1, plan: plan, repetitions: 1))
    }

    func testStatsQuartiles() {
        let s = Stats([4, 1, 3, 2])
        XCTAssertEqual([s.median, s.q1, s.q3, s.min, s.max], [2.5, 1.75, 3.25, 1, 4])
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.map { $0 * 2 }.median, 5)
    }

    /// A report with known figures prints them in the table's columns, and the JSON carries them.
    func testReportText() throws {
        var report = BenchReport(machine: MachineInfo(cpu: "Test CPU", cores: 2, openBLAS: "OpenBLAS 0.3.21", blasCore: "SkylakeX (corrected from Prescott)",
                                                      kernels: "avx512; convolution products: the engine's own (fv_conv_product)",
                                                      loadAverageStart: 1.5, loadAverageEnd: 2.25),
                                 quick: false, warmupSteps: 3)
        report.sgemm = SgemmPeak(size: 1024, runs: [.init(threads: 1, gflops: Stats([100])), .init(threads: 2, gflops: Stats([190, 200, 210]))])
        report.steps = [
            StepMeasurement(layer: "_blocks.8", size: 224, batch: 1, gflopPerImage: 0.5, depthwiseShare: 0.25,
                            msPerStep: Stats([20, 25, 30]), msPerImage: Stats([20, 25, 30]), achievedGFLOPS: 20,
                            coresBusy: 1.9, shareOfPeak: nil, perImageRatioToBatch1: nil),
            StepMeasurement(layer: "_blocks.8", size: 224, batch: 8, gflopPerImage: 0.5, depthwiseShare: 0.25,
                            msPerStep: Stats([80]), msPerImage: Stats([10]), achievedGFLOPS: 50,
                            coresBusy: 1.8, shareOfPeak: nil, perImageRatioToBatch1: 0.4),
        ]
        report.setShares(peakGFLOPS: 200)
        XCTAssertEqual(report.steps.map(\.shareOfPeak), [0.1, 0.25])
        let lines = report.text().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "fvbook bench — EfficientNet-Lite0 on Test CPU, 2 cores; load average 1.50 at start, 2.25 at end")
        XCTAssertEqual(lines[1], "OpenBLAS: OpenBLAS 0.3.21; core SkylakeX (corrected from Prescott)")
        XCTAssertEqual(lines[2], "Kernels: avx512; convolution products: the engine's own (fv_conv_product)")
        XCTAssertTrue(lines.contains("sgemm 1024³: 1 thread 100.0 (100.0–100.0) GFLOP/s, 2 threads 200.0 (190.0–210.0) GFLOP/s (median, min–max)"), "\(lines)")
        let row = try XCTUnwrap(lines.first { $0.hasPrefix("_blocks.8") })
        XCTAssertEqual(row.split(separator: " ", omittingEmptySubsequences: true).map(String.init),
                       ["_blocks.8", "224", "0.500", "25%", "25.0", "(20.0–30.0)", "20.0", "10%", "1.9",
                        "10.0", "(10.0–10.0)", "50.0", "25%", "1.8", "0.40"])
        let decoded = try JSONDecoder().decode(BenchReport.self, from: Data(try report.json().utf8))
        XCTAssertEqual(decoded.steps.map(\.msPerStep.median), [25, 80])
        XCTAssertEqual(decoded.machine.blasCore, "SkylakeX (corrected from Prescott)")
    }

    /// Every method renders on both networks, and each batch is classified by its own network and
    /// the other; with one network twice, the other's verdict must equal the own.
    func testModelComparisonClassifiesEachModelsImagesWithTheOther() throws {
        let repo = URL(fileURLWithPath: Self.tinyPath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var comparison = ModelComparison()
        comparison.models = ["a", "b"]
        comparison.classes = [1, 3, 7]
        comparison.features = [.init(layer: "features.4", channel: 2), .init(layer: "features.4", channel: 5)]
        comparison.steps = 3
        comparison.size = 16
        let net = try tiny()
        let visualizers = (0..<2).map { _ in
            let v = FeatureVisualizer(model: net, photosDirectory: repo.appendingPathComponent("data/photos").path)
            v.spectrumPath = repo.appendingPathComponent("data/maco-spectrum.json").path
            return v
        }
        let report = try comparison.run(on: visualizers)
        XCTAssertEqual(report.rows.map { "\($0.method) \($0.model)" },
                       ["basic a", "basic b", "maco a", "maco b", "naive a", "naive b"])
        for row in report.rows {
            let own = try XCTUnwrap(row.sameModel)
            XCTAssertEqual(row.otherModels.map(\.judge), [row.model == "a" ? "b" : "a"])
            XCTAssertEqual(row.otherModels[0].predicted, own.predicted)
            XCTAssertEqual(own.predicted.count, 3)
            XCTAssertLessThanOrEqual(own.top1, own.top5)
            XCTAssertEqual(row.channelRatios?.count, row.method == "naive" ? nil : 2, row.method)
            XCTAssertEqual(row.robustness == nil, row.method == "naive", row.method)
        }
        XCTAssertTrue(report.text().contains("| maco | b |"), report.text())
    }

    /// Top-1 and top-5 count the images whose first / any prediction is the class they were made for.
    func testClassRecognitionCountsTop1AndTop5() {
        let p = { (c: Int) in Prediction(classIndex: c, name: "class \(c)", probability: 0.5) }
        let r = ClassRecognition(judge: "j", classes: [1, 3, 7], predictions: [[p(1), p(2)], [p(4), p(3)], [p(5), p(6)]])
        XCTAssertEqual(r.top1, 0.333)
        XCTAssertEqual(r.top5, 0.667)
        XCTAssertEqual(r.predicted, [1, 4, 5])
    }
}
