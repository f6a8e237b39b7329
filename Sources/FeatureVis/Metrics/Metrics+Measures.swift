import Foundation
import Models
import Tensors

/// The single measures behind ``QualityMetrics``, usable on their own.
public enum Measures {
    /// The spatial mean of `layer[:, channel]` for each image, with images resized (bilinear,
    /// corners aligned, as in rendering) to the network's input size when they are smaller.
    public static func channelActivation(of images: Tensor, network: Network, layer: String, channel: Int) throws -> [Float] {
        let reference = try network.layer(layer)
        guard (0..<reference.channels).contains(channel) else {
            throw ModelError.channelOutOfRange(channel, layer: layer, channels: reference.channels)
        }
        let activations = try layerActivations(of: images, network: network, layer: layer)
        let (n, c, plane) = (activations.shape[0], activations.shape[1], activations.shape[2] * activations.shape[3])
        return (0..<n).map { i in
            let start = (i * c + channel) * plane
            return activations.scalars[start..<start + plane].reduce(0, +) / Float(plane)
        }
    }

    /// The activations of `layer` for `images` (resized up to the input size when smaller), always
    /// `[N, C, h, w]`: a classifier's `[N, C]` (`logits`) comes back as `[N, C, 1, 1]`, one position
    /// that sees the whole image, so every caller can take channel planes alike.
    public static func layerActivations(of images: Tensor, network: Network, layer: String) throws -> Tensor {
        let tape = Tape()
        var x = tape.constant(images)
        if images.shape[2] < network.inputSize || images.shape[3] < network.inputSize {
            x = resizeBilinear(x, height: network.inputSize, width: network.inputSize, alignCorners: true)
        }
        let reference = try network.layer(layer)
        guard let a = network.forward(x, reading: [reference])[reference] else {
            preconditionFailure("\(network.name) did not return layer \(layer)")
        }
        return a.shape.count == 2 ? a.value.reshaped([a.shape[0], a.shape[1], 1, 1]) : a.value
    }

    /// The mean channel activation under `count` random draws of `transforms` (seeded), divided by
    /// the untransformed activation; per image, then averaged over the batch.
    public static func robustness(of images: Tensor, network: Network, layer: String, channel: Int,
                                  transforms: [Transform] = Transform.standard, count: Int = 16,
                                  seed: UInt64 = 0x0B05_7E55) throws -> Float {
        let base = try channelActivation(of: images, network: network, layer: layer, channel: channel)
        var rng = SeededGenerator(seed: seed)
        let transform = Transform.compose(transforms)
        var sums = [Float](repeating: 0, count: base.count)
        for _ in 0..<count {
            let transformed = transform(Tape().constant(images), using: &rng).value
            let a = try channelActivation(of: transformed, network: network, layer: layer, channel: channel)
            for i in sums.indices { sums[i] += a[i] }
        }
        let ratios = zip(sums, base).map { ($0 / Float(count)) / $1 }
        return ratios.reduce(0, +) / Float(ratios.count)
    }

    /// The share of the grey image's spectral energy (DC removed) at radial frequencies above half
    /// the Nyquist frequency (0.25 cycles per pixel), averaged over the batch. Grey is Rec. 601 luma
    /// (0.299 R + 0.587 G + 0.114 B).
    public static func highFrequencyShare(of images: Tensor) -> Float {
        let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
        let plane = h * w
        var grey = [Float](repeating: 0, count: n * plane)
        for i in 0..<n {
            for p in 0..<plane {
                let base = i * 3 * plane + p
                grey[i * plane + p] = 0.299 * images.scalars[base] + 0.587 * images.scalars[base + plane]
                    + 0.114 * images.scalars[base + 2 * plane]
            }
            // Remove the DC term exactly, so a flat image has no energy at all (not rounding noise).
            let mean = grey[i * plane..<(i + 1) * plane].reduce(0, +) / Float(plane)
            for p in 0..<plane { grey[i * plane + p] -= mean }
        }
        let fft = RealFFT2D(height: h, width: w)
        let (re, im) = fft.forward(Tensor(shape: [n, h, w], scalars: grey))
        let fy = fftFrequencies(h), bins = fft.bins
        var shares: [Float] = []
        for i in 0..<n {
            var high = 0.0, total = 0.0
            for k in 0..<h {
                for l in 0..<bins where !(k == 0 && l == 0) {
                    let idx = (i * h + k) * bins + l
                    // Columns other than DC and Nyquist stand for a conjugate pair too.
                    let weight = (l == 0 || (w % 2 == 0 && l == w / 2)) ? 1.0 : 2.0
                    let power = weight * Double(re.scalars[idx] * re.scalars[idx] + im.scalars[idx] * im.scalars[idx])
                    let fx = Double(l) / Double(w)
                    total += power
                    if (fx * fx + fy[k] * fy[k]).squareRoot() > 0.25 { high += power }
                }
            }
            // A flat image (only rounding noise left) has no spectrum to share.
            shares.append(total > 1e-9 * Double(plane) ? Float(high / total) : 0)
        }
        return shares.reduce(0, +) / Float(n)
    }

    /// The mean pairwise cosine similarity of the images' flattened activations at `layer`
    /// (nil for a single image).
    public static func batchSimilarity(of images: Tensor, network: Network, layer: String) throws -> Float? {
        let n = images.shape[0]
        guard n > 1 else { return nil }
        let a = try layerActivations(of: images, network: network, layer: layer)
        let size = a.count / n
        let rows = (0..<n).map { Array(a.scalars[$0 * size..<($0 + 1) * size]) }
        var total: Float = 0, pairs = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                total += cosineSimilarity(rows[i], rows[j])
                pairs += 1
            }
        }
        return total / Float(pairs)
    }

    static func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Double = 0, na: Double = 0, nb: Double = 0
        for (x, y) in zip(a, b) {
            dot += Double(x * y)
            na += Double(x * x)
            nb += Double(y * y)
        }
        return Float(dot / max((na * nb).squareRoot(), 1e-12))
    }
}
