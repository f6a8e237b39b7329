import Foundation
import Models
import Tensors

/// The strongest response of each channel to natural-image patches: crops at the network's
/// input size from photos, as the denominator of ``QualityMetrics/activationRatio``.
///
/// Each photo is resized (bilinear) so that its shorter side is the input size and, separately,
/// 8/7 of it (224 and 256 for ImageNet models); every crop of the input size on a 32-pixel
/// stride grid (plus the last position on each axis) is one patch. A channel's response to a
/// patch is its spatial mean at the layer. Results are cached per layer in memory.
///
/// ```swift
/// let baseline = NaturalImageBaseline(network: model, photos: photoTensors)
/// let best = try baseline.best(layer: "_blocks.8", channel: 3)
/// ```
public final class NaturalImageBaseline {
    public let network: Network
    /// The patches `[P, 3, S, S]`, S = the network's input size.
    public let patches: Tensor
    /// For each patch, the index (in the `photos` given to the initializer) of the photo it came from.
    public let patchPhoto: [Int]
    private var cache: [String: Tensor] = [:]

    /// Patches from `photos` (each `[1, 3, H, W]` in [0, 1]).
    public init(network: Network, photos: [Tensor], stride: Int = 32) {
        self.network = network
        let s = network.inputSize
        var scalars: [Float] = [], count = 0, sources: [Int] = []
        for (index, photo) in photos.enumerated() {
            for short in [s, s * 8 / 7] {
                let (h, w) = (photo.shape[2], photo.shape[3])
                let scale = Double(short) / Double(min(h, w))
                let (rh, rw) = (max(s, Int((Double(h) * scale).rounded())), max(s, Int((Double(w) * scale).rounded())))
                let resized = resizeBilinear(Tape().constant(photo), height: rh, width: rw).value
                for top in Self.offsets(rh - s, stride) {
                    for left in Self.offsets(rw - s, stride) {
                        scalars += crop(Tape().constant(resized), top: top, left: left, height: s, width: s).value.scalars
                        count += 1
                        sources.append(index)
                    }
                }
            }
        }
        patches = Tensor(shape: [count, 3, s, s], scalars: scalars)
        patchPhoto = sources
    }

    /// Patches from every `.png` in `directory`, sorted by name.
    public convenience init(network: Network, photosDirectory directory: String, stride: Int = 32) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".png") }.sorted()
        let photos = try names.map { try PNG.read((directory as NSString).appendingPathComponent($0)) }
        self.init(network: network, photos: photos, stride: stride)
    }

    private static func offsets(_ range: Int, _ stride: Int) -> [Int] {
        var o = Array(Swift.stride(from: 0, through: range, by: stride))
        if o.last != range { o.append(range) }
        return o
    }

    /// Every patch's spatial mean for every channel of `layer`, `[P, C]` (cached).
    public func channelMeans(layer: String) throws -> Tensor {
        if let cached = cache[layer] { return cached }
        // Memoized too (``RenderMemo``): keyed by the layer and the patches' exact content.
        let means = try RenderMemo.remember("baseline-means-1 layer=\(layer.debugDescription) patches=\(patchesDigest)",
                                            on: network) { StoredTensor(try computeMeans(layer: layer)) }.tensor
        cache[layer] = means
        return means
    }

    /// The SHA-256 of the patches (shape and scalar bits), computed on first use.
    private lazy var patchesDigest: String = contentDigest([patches])

    private func computeMeans(layer: String) throws -> Tensor {
        let (p, s) = (patches.shape[0], network.inputSize)
        var rows: [Float] = [], channels = 0
        let batch = 8
        for start in stride(from: 0, to: p, by: batch) {
            let n = min(batch, p - start)
            let chunk = Tensor(shape: [n, 3, s, s], scalars: Array(patches.scalars[start * 3 * s * s..<(start + n) * 3 * s * s]))
            let a = try Measures.layerActivations(of: chunk, network: network, layer: layer)
            channels = a.shape[1]
            let plane = a.shape[2] * a.shape[3]
            for i in 0..<n {
                for c in 0..<channels {
                    let base = (i * channels + c) * plane
                    rows.append(a.scalars[base..<base + plane].reduce(0, +) / Float(plane))
                }
            }
        }
        return Tensor(shape: [p, channels], scalars: rows)
    }

    /// The highest spatial-mean activation of `layer[:, channel]` over all patches.
    public func best(layer: String, channel: Int) throws -> Float {
        let means = try channelMeans(layer: layer)
        let c = means.shape[1]
        return (0..<means.shape[0]).map { means.scalars[$0 * c + channel] }.max() ?? 0
    }

    /// The patch with the highest activation `[1, 3, S, S]` (a "dataset example").
    public func bestPatch(layer: String, channel: Int) throws -> Tensor {
        let means = try channelMeans(layer: layer)
        let c = means.shape[1]
        let i = (0..<means.shape[0]).max { means.scalars[$0 * c + channel] < means.scalars[$1 * c + channel] } ?? 0
        let size = 3 * network.inputSize * network.inputSize
        return Tensor(shape: [1, 3, network.inputSize, network.inputSize], scalars: Array(patches.scalars[i * size..<(i + 1) * size]))
    }
}
