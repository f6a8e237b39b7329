import ArgumentParser
import FeatureVis
import Foundation
import Models

/// `fvbook spectrum`: estimate MACO's natural-image magnitude spectrum from a folder of photos
/// and write it as JSON (what `scripts/maco-spectrum.sh` runs to make `data/maco-spectrum.json`).
struct Spectrum: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate the natural-image Fourier magnitude that MACO fixes, from PNG photos.")

    @Option(help: "Folder of PNG photos.") var photos = "data/photos"
    @Option(help: "Side of the reference grid (even, ≥ 4).") var size = 64
    @Option(name: .shortAndLong, help: "Output JSON path.") var output: String

    func run() throws {
        do {
            guard size >= 4, size % 2 == 0 else {
                throw FeatureVisError.invalidArgument(name: "size", value: "\(size)", valid: "even and ≥ 4")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: photos).filter { $0.hasSuffix(".png") }.sorted()
            let images = try names.map { try PNG.read((photos as NSString).appendingPathComponent($0)) }
            let spectrum = NaturalSpectrum.estimate(photos: images, size: size)
            try spectrum.write(to: output, note: "NaturalSpectrum.estimate over \(photos): \(names.joined(separator: ", ")); "
                               + "\(spectrum.tiles) tiles of \(size) px at full, half and quarter resolution")
            print("\(output): \(spectrum.tiles) tiles from \(names.count) photos")
        } catch {
            FileHandle.standardError.write(Data("fvbook spectrum: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
