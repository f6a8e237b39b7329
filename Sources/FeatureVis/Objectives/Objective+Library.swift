import Foundation
import Tensors

// Lucid's objective library. Activation objectives are things to maximize; the image penalties
// (L1, total variation, blur) are positive numbers meant to be subtracted with a weight.
// `batch: nil` applies an objective to every image of the batch, `batch: i` to image i only.

extension Objective {
    /// The mean of `layer[:, n]` over positions (and the batch): the standard feature visualization.
    public static func channel(_ layer: String, _ n: Int, batch: Int? = nil) -> Objective {
        Objective(name: "channel(\(layer), \(n)\(batchLabel(batch)))", key: keyCall("channel", layer, n, batch),
                  layers: [layer], requirements: [.channel(layer: layer, n)] + batchRequirement(batch)) { inputs in
            channelSlice(inputs[layer], n, batch: batch).mean()
        }
    }

    /// The activation of channel `n` at one position, by default the centre (`H/2`, `W/2`,
    /// rounded down), averaged over the batch.
    public static func neuron(_ layer: String, _ n: Int, x: Int? = nil, y: Int? = nil, batch: Int? = nil) -> Objective {
        Objective(name: "neuron(\(layer), \(n)\(batchLabel(batch)))", key: keyCall("neuron", layer, n, x, y, batch),
                  layers: [layer], requirements: [.channel(layer: layer, n)] + batchRequirement(batch)) { inputs in
            let c = channelSlice(inputs[layer], n, batch: batch)
            let yy = y ?? c.shape[2] / 2, xx = x ?? c.shape[3] / 2
            let row = slice(c, axis: 2, range: yy..<yy + 1)
            return slice(row, axis: 3, range: xx..<xx + 1).mean()
        }
    }

    /// DeepDream: the mean of the squared activations of the whole layer.
    public static func deepDream(_ layer: String, batch: Int? = nil) -> Objective {
        Objective(name: "deepDream(\(layer)\(batchLabel(batch)))", key: keyCall("deepDream", layer, batch),
                  layers: [layer], requirements: batchRequirement(batch)) { inputs in
            let a = select(inputs[layer], batch: batch)
            return (a * a).mean()
        }
    }

    /// A direction in the layer's channel space, as Lucid's `direction(cossim_pow:)`: at every
    /// position, the dot product of the activation vector with `vector`, weighted by
    /// `max(0.1, cos(activation, vector))^cosinePower`; the mean over positions and the batch.
    ///
    /// `cosinePower: 0` is the plain dot product (Lucid's default); the default 1 rewards
    /// pointing the same way, not only a large projection.
    public static func direction(_ layer: String, _ vector: [Float], cosinePower: Int = 1, batch: Int? = nil) -> Objective {
        precondition(cosinePower >= 0, "cosinePower must be ≥ 0")
        let name = "direction(\(layer), [\(vector.count)], cos^\(cosinePower)\(batchLabel(batch)))"
        let requirements: [Requirement] = [.channelCount(layer: layer, vector.count, argument: "direction vector")]
            + batchRequirement(batch)
        return Objective(name: name, key: keyCall("direction", layer, vector, cosinePower, batch), layers: [layer],
                         requirements: requirements) { inputs in
            let a = select(inputs[layer], batch: batch)
            precondition(a.shape[1] == vector.count, "direction has \(vector.count) entries, layer \(layer) has \(a.shape[1]) channels")
            let v = a.tape.constant(Tensor(shape: [1, vector.count, 1, 1], scalars: vector))
            let dot = sum(broadcastMultiply(a, v), axes: [1], keepingDims: true)  // [N, 1, H, W]
            guard cosinePower > 0 else { return dot.mean() }
            let eps: Float = 1e-4
            let aNorm = sqrt(sum(a * a, axes: [1], keepingDims: true)) + eps
            let vNorm = vector.map { $0 * $0 }.reduce(0, +).squareRoot() + eps
            let cosine = (dot / aNorm) * (1 / vNorm)
            let floored = clamp(cosine, min: 0.1, max: .greatestFiniteMagnitude)
            var weighted = dot
            for _ in 0..<cosinePower { weighted = weighted * floored }
            return weighted.mean()
        }
    }

    /// The logit of class `n` (Lucid's `class_logit`): summed over the batch. `layer` defaults to
    /// the network's last layer.
    public static func classLogit(_ n: Int, layer: String = Objective.logits, batch: Int? = nil) -> Objective {
        Objective(name: "classLogit(\(n)\(batchLabel(batch)))", key: keyCall("classLogit", n, layer, batch),
                  layers: [layer], requirements: [.channel(layer: layer, n)] + batchRequirement(batch)) { inputs in
            let logits = select(inputs[layer], batch: batch)
            let flat = logits.reshaped([logits.shape[0], logits.value.count / logits.shape[0]])
            return slice(flat, axis: 1, range: n..<n + 1).sum()
        }
    }

    /// Diversity across the batch (Lucid's `diversity`, negated so that it is maximized): for each
    /// image the Gram matrix of the layer's channels (`C × C`, over positions), L2-normalized;
    /// the value is `−Σᵢ Σⱼ≠ᵢ ⟨Gᵢ, Gⱼ⟩ / N`, i.e. minus the summed cosine similarity of every
    /// ordered pair of images, divided by the batch size. Zero for a batch of one.
    public static func diversity(_ layer: String) -> Objective {
        Objective(name: "diversity(\(layer))", key: keyCall("diversity", layer), layers: [layer],
                  requirements: []) { inputs in
            let a = inputs[layer]
            let (n, c) = (a.shape[0], a.shape[1])
            let positions = a.shape.dropFirst(2).reduce(1, *)  // h·w; 1 for a classifier's [N, C]
            guard n > 1 else { return a.tape.constant(Tensor(scalar: 0)) }
            let grams: [Variable] = (0..<n).map { i in
                let f = slice(a, axis: 0, range: i..<i + 1).reshaped([c, positions])
                let g = matmul(f, f.transposed())
                let norm = sqrt((g * g).sum() + 1e-10)
                return normalized(g, norm)
            }
            var total: Variable? = nil
            for i in 0..<n {
                for j in 0..<n where j != i {
                    let s = (grams[i] * grams[j]).sum()
                    total = total.map { $0 + s } ?? s
                }
            }
            return total! * (-1 / Float(n))
        }
    }

    /// L1 penalty: `Σ |x − constant|` over `layer` (default the image).
    public static func l1(_ layer: String = Objective.image, constant: Float = 0, batch: Int? = nil) -> Objective {
        Objective(name: "l1(\(layer)\(batchLabel(batch)))", key: keyCall("l1", layer, constant, batch),
                  layers: [layer], requirements: batchRequirement(batch)) { inputs in
            abs(select(inputs[layer], batch: batch) + (-constant)).sum()
        }
    }

    /// Total variation penalty (TensorFlow's `image.total_variation`, summed over the batch):
    /// `Σ |x[y+1, x] − x[y, x]| + Σ |x[y, x+1] − x[y, x]|`.
    public static func totalVariation(_ layer: String = Objective.image, batch: Int? = nil) -> Objective {
        Objective(name: "totalVariation(\(layer)\(batchLabel(batch)))", key: keyCall("totalVariation", layer, batch),
                  layers: [layer], requirements: batchRequirement(batch)) { inputs in
            let x = select(inputs[layer], batch: batch)
            let (h, w) = (x.shape[2], x.shape[3])
            let down = slice(x, axis: 2, range: 1..<h) - slice(x, axis: 2, range: 0..<h - 1)
            let right = slice(x, axis: 3, range: 1..<w) - slice(x, axis: 3, range: 0..<w - 1)
            return abs(down).sum() + abs(right).sum()
        }
    }

    /// Lucid's `blur_input_each_step`: `½ Σ (x − blur(x))²` with the blurred image held constant,
    /// so subtracting `k ·` this moves the image a step `k` towards its 3×3 blur (Nguyen et al. 2015).
    public static func blur(_ layer: String = Objective.image, batch: Int? = nil) -> Objective {
        Objective(name: "blur(\(layer)\(batchLabel(batch)))", key: keyCall("blur", layer, batch),
                  layers: [layer], requirements: batchRequirement(batch)) { inputs in
            let x = select(inputs[layer], batch: batch)
            let d = x - x.tape.constant(boxBlur3x3(x.value))
            return (d * d).sum() * 0.5
        }
    }
}

// MARK: - Helpers

private func batchLabel(_ batch: Int?) -> String { batch.map { ", batch \($0)" } ?? "" }

private func batchRequirement(_ batch: Int?) -> [Objective.Requirement] { batch.map { [.batchItem($0)] } ?? [] }

/// Image `batch` of `x`, or all of it.
func select(_ x: Variable, batch: Int?) -> Variable {
    guard let b = batch else { return x }
    precondition(b >= 0 && b < x.shape[0], "batch index \(b) out of range for a batch of \(x.shape[0])")
    return slice(x, axis: 0, range: b..<b + 1)
}

func channelSlice(_ x: Variable, _ n: Int, batch: Int?) -> Variable {
    precondition(x.shape.count >= 2, "a channel objective needs activations [N, C, …], got shape \(x.shape)")
    precondition(n >= 0 && n < x.shape[1], "channel \(n) is out of range: valid channels are 0…\(x.shape[1] - 1) (shape \(x.shape))")
    return slice(select(x, batch: batch), axis: 1, range: n..<n + 1)
}

/// `g / norm` where `norm` is a one-element variable.
private func normalized(_ g: Variable, _ norm: Variable) -> Variable {
    let inverse = g.tape.constant(Tensor(shape: [1, 1], repeating: 1)) / norm.reshaped([1, 1])
    return broadcastMultiply(g, inverse)
}

/// Lucid's `_tf_blur`: a 3×3 kernel (1 in the centre, 0.5 around) over each channel with zero
/// padding, divided by the same kernel applied to ones (so borders are averages too).
func boxBlur3x3(_ x: Tensor) -> Tensor {
    let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    var out = [Float](repeating: 0, count: x.count)
    for p in 0..<planes {
        for y in 0..<h {
            for xx in 0..<w {
                var acc: Float = 0, weight: Float = 0
                for dy in -1...1 {
                    for dx in -1...1 {
                        let (sy, sx) = (y + dy, xx + dx)
                        guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                        let k: Float = (dy == 0 && dx == 0) ? 1 : 0.5
                        acc += k * x.scalars[(p * h + sy) * w + sx]
                        weight += k
                    }
                }
                out[(p * h + y) * w + xx] = acc / weight
            }
        }
    }
    return Tensor(shape: x.shape, scalars: out)
}
