import Models
import Tensors

/// The convolution and linear work of EfficientNet-Lite0 up to each readable layer, per image.
///
/// The benchmark turns step times into GFLOP/s with it, so each figure reads as a share of the
/// machine's sgemm peak. It walks the architecture's stage table (`EfficientNetLite.Variant.lite0.stageSpecs`, the one the
/// network itself is built from) and counts
/// `2 · Cout · (Cin / groups) · kh · kw · Hout · Wout` per convolution and `2 · in · out` for the
/// classifier. Element-wise work (activations, residual adds, pooling, preprocessing) is not
/// counted. One optimization step runs the forward pass and the gradient with respect to the
/// input, which costs as many FLOPs again (a transposed convolution per convolution), so a step
/// is `2 ×` the forward count. ``verify(against:side:)`` checks the table against the real network.
///
/// ```swift
/// let flops = LiteFLOPs(side: 224)
/// flops.stepFLOPs(upTo: "_blocks.8")   // forward + input gradient, one image
/// ```
struct LiteFLOPs {
    /// One readable layer and the forward work of the stage that produces it.
    struct Layer {
        let name: String
        let channels: Int
        /// Output height and width (square inputs), `nil` for the classifier's `[N, 1000]`.
        let side: Int?
        /// Forward FLOPs of GEMM-shaped convolutions (1×1, the stem) and the classifier.
        let gemm: Double
        /// Forward FLOPs of depthwise convolutions.
        let depthwise: Double
    }

    /// Forward and input-gradient FLOPs, per image, split by kernel family.
    struct Work {
        var gemm: Double = 0
        var depthwise: Double = 0
        var total: Double { gemm + depthwise }
    }

    let side: Int
    /// Every readable layer in forward order, as `EfficientNetLite0.layerNames` lists them.
    let layers: [Layer]

    init(side: Int) {
        precondition(side > 0, "image side must be positive, got \(side)")
        self.side = side
        // TensorFlow "SAME" padding: a stride-s convolution outputs ceil(H / s).
        func out(_ h: Int, _ stride: Int) -> Int { (h + stride - 1) / stride }
        func conv(_ cin: Int, _ cout: Int, kernel: Int, groups: Int = 1, outSide: Int) -> Double {
            2 * Double(cout) * Double(cin / groups) * Double(kernel * kernel) * Double(outSide * outSide)
        }
        var layers: [Layer] = []
        var h = out(side, 2)
        layers.append(Layer(name: "stem", channels: 32, side: h, gemm: conv(3, 32, kernel: 3, outSide: h), depthwise: 0))
        var block = 0
        for spec in EfficientNetLite.Variant.lite0.stageSpecs {
            for r in 0..<spec.repeats {
                let cin = r == 0 ? spec.inChannels : spec.outChannels
                let stride = r == 0 ? spec.stride : 1
                let hidden = cin * spec.expand
                let prefix = "_blocks.\(block)"
                if spec.expand != 1 {
                    layers.append(Layer(name: prefix + ".expand", channels: hidden, side: h,
                                        gemm: conv(cin, hidden, kernel: 1, outSide: h), depthwise: 0))
                }
                h = out(h, stride)
                layers.append(Layer(name: prefix + ".depthwise", channels: hidden, side: h, gemm: 0,
                                    depthwise: conv(hidden, hidden, kernel: spec.kernel, groups: hidden, outSide: h)))
                layers.append(Layer(name: prefix, channels: spec.outChannels, side: h,
                                    gemm: conv(hidden, spec.outChannels, kernel: 1, outSide: h), depthwise: 0))
                block += 1
            }
        }
        layers.append(Layer(name: "head", channels: 1280, side: h, gemm: conv(320, 1280, kernel: 1, outSide: h), depthwise: 0))
        layers.append(Layer(name: "logits", channels: 1000, side: nil, gemm: 2 * 1280 * 1000, depthwise: 0))
        self.layers = layers
    }

    /// The work of one optimization step per image: forward through `layer`, then the gradient
    /// back to the input image (the same FLOPs again).
    func stepWork(upTo layer: String) -> Work {
        guard let end = layers.firstIndex(where: { $0.name == layer }) else {
            preconditionFailure("no layer \(layer) in the FLOP model of EfficientNet-Lite0")
        }
        var work = Work()
        for l in layers[...end] {
            work.gemm += 2 * l.gemm
            work.depthwise += 2 * l.depthwise
        }
        return work
    }

    /// Checks the table against `network`: the same layer names in the same order, the same
    /// channels, and the same activation shapes for a `side × side` image. A mismatch means the
    /// table no longer describes the network, a programmer error.
    func verify(against network: Network) throws {
        let names = layers.map(\.name)
        precondition(names == network.layerNames,
                     "the FLOP model's layers differ from \(network.name)'s: \(names) vs \(network.layerNames)")
        let tape = Tape()
        let image = tape.constant(Tensor(shape: [1, 3, side, side], repeating: 0.5))
        let outputs = try network.forward(image, reading: Set(names))
        for layer in layers {
            let expected = layer.side.map { [1, layer.channels, $0, $0] } ?? [1, layer.channels]
            let actual = outputs[layer.name]?.shape
            precondition(actual == expected,
                         "the FLOP model expects \(layer.name) to be \(expected) at \(side) px, the network gives \(actual.map { "\($0)" } ?? "nothing")")
        }
    }
}
