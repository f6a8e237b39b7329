import FeatureVis
import Foundation
import Models
import Tensors

/// A crop of a photo where a channel responds most ("dataset examples", as in OpenAI Microscope).
public struct NaturalPatch: Codable, Equatable, Sendable {
    /// The photo's file name.
    public let photo: String
    /// The crop in the photo resized to the network's input size on its shorter side.
    public let top: Int, left: Int, side: Int
    /// The channel's activation at the crop's centre position.
    public let activation: Float
    /// `[1, 3, side, side]` (not encoded: written as its own PNG).
    public var image: Tensor?

    enum CodingKeys: String, CodingKey { case photo, top, left, side, activation }
}

/// The project's photos run through the network once per layer, whole (shorter side at the input
/// size), so each channel's strongest positions can be cut out as patches.
///
/// A patch is centred on one position of the channel's activation map; its side grows with the
/// layer's stride (6 strides, 48…160 px), a rough receptive field. Patches are chosen greedily by
/// activation, skipping positions closer than half a side to one already taken in the same photo.
final class PhotoPatches {
    let network: Network
    private let photos: [(name: String, image: Tensor)]
    private var activations: [String: [Tensor]] = [:]

    init(network: Network, directory: String) throws {
        self.network = network
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".png") }.sorted()
        let s = network.inputSize
        photos = try names.map { name in
            let photo = try PNG.read((directory as NSString).appendingPathComponent(name))
            let (h, w) = (photo.shape[2], photo.shape[3])
            let scale = Double(s) / Double(min(h, w))
            let (rh, rw) = (max(s, Int((Double(h) * scale).rounded())), max(s, Int((Double(w) * scale).rounded())))
            return (name, resizeBilinear(Tape().constant(photo), height: rh, width: rw).value)
        }
    }

    /// The `count` strongest patches of `layer[:, channel]` over all photos.
    func strongest(layer: String, channel: Int, count: Int) throws -> [NaturalPatch] {
        let maps = try layerActivations(layer)
        var candidates: [(photo: Int, y: Int, x: Int, value: Float)] = []
        for (p, map) in maps.enumerated() {
            let (h, w) = (map.shape[2], map.shape[3])
            let base = channel * h * w
            for y in 0..<h { for x in 0..<w { candidates.append((p, y, x, map.scalars[base + y * w + x])) } }
        }
        // Highest first; ties by photo then position, so the choice is deterministic.
        candidates.sort { ($0.value, -$0.photo, -$0.y, -$0.x) > ($1.value, -$1.photo, -$1.y, -$1.x) }
        var chosen: [NaturalPatch] = []
        for c in candidates where chosen.count < count {
            let photo = photos[c.photo].image, map = maps[c.photo]
            let (ph, pw) = (photo.shape[2], photo.shape[3])
            let stride = Double(ph) / Double(map.shape[2])
            let side = min(ph, pw, 160, max(48, Int((6 * stride).rounded())))
            let cy = (Double(c.y) + 0.5) * stride, cx = (Double(c.x) + 0.5) * Double(pw) / Double(map.shape[3])
            let top = min(max(0, Int(cy) - side / 2), ph - side), left = min(max(0, Int(cx) - side / 2), pw - side)
            let tooClose = chosen.contains {
                $0.photo == photos[c.photo].name && abs($0.top - top) < side / 2 && abs($0.left - left) < side / 2
            }
            if tooClose { continue }
            let image = crop(Tape().constant(photo), top: top, left: left, height: side, width: side).value
            chosen.append(NaturalPatch(photo: photos[c.photo].name, top: top, left: left, side: side,
                                       activation: c.value, image: image))
        }
        return chosen
    }

    /// Each photo's activations at `layer`, `[1, C, h, w]` (cached).
    private func layerActivations(_ layer: String) throws -> [Tensor] {
        if let cached = activations[layer] { return cached }
        let maps = try photos.map { try Measures.layerActivations(of: $0.image, network: network, layer: layer) }
        activations[layer] = maps
        return maps
    }
}
