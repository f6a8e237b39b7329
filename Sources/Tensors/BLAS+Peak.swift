// OpenBLAS's own throughput, the peak a benchmark reads the engine's figures against.
internal import CBLAS
import Foundation

/// OpenBLAS's build configuration (`openblas_get_config`), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
public func openBLASConfiguration() -> String {
    openblas_get_config().map { String(cString: $0).trimmingCharacters(in: .whitespaces) } ?? "unknown"
}

/// GFLOP/s of `repetitions` sgemm products of two seeded random `size × size` matrices on
/// `threads` OpenBLAS threads, one figure per product, after one untimed product. OpenBLAS's thread
/// setting is restored afterwards (the engine runs it single-threaded).
public func sgemmThroughput(size: Int, threads: Int, repetitions: Int) -> [Double] {
    var rng = SeededGenerator(seed: 1)
    let a = Tensor(randomNormal: [size, size], using: &rng).scalars
    let b = Tensor(randomNormal: [size, size], using: &rng).scalars
    var c = [Float](repeating: 0, count: size * size)
    let flops = 2 * Double(size) * Double(size) * Double(size)
    _ = blasSingleThreaded
    let previous = openblas_get_num_threads()
    defer { openblas_set_num_threads(previous) }
    openblas_set_num_threads(Int32(threads))
    var samples: [Double] = []
    for rep in 0...repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size),
                    1, a, Int32(size), b, Int32(size), 0, &c, Int32(size))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if rep > 0 { samples.append(flops / seconds / 1e9) }
    }
    return samples
}
