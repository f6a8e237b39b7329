// The arithmetic of a step's network half, counted on the real network as it runs.
import Models
import Tensors

/// The work of the network half of one optimization step, per image: the forward pass of
/// `network` up to `layer` and the gradient of the layer's mean back to the image, counted by the
/// engine's kernels while they run it (``KernelFLOPs``). Whatever the architecture does — fused
/// ops, a truncated forward pass, skipped weight gradients — is what gets counted. The image side
/// (parameterization, transforms) and element-wise work are not part of it.
///
/// ```swift
/// let work = try stepFLOPs(network: try EfficientNetLite0.pretrained(), layer: "_blocks.8", side: 224)
/// work.total / 1e9   // GFLOP per image
/// ```
func stepFLOPs(network: Network, layer: String, side: Int, batch: Int = 1) throws -> KernelFLOPs {
    let tape = Tape()
    let image = tape.variable(Tensor(shape: [batch, 3, side, side], repeating: 0.5))
    let (_, flops) = try KernelFLOPs.counting { () throws -> Void in
        guard let output = try network.forward(image, reading: [layer])[layer] else {
            preconditionFailure("\(network.name) returned no \(layer)")
        }
        _ = tape.gradients(of: output.mean())[image]
    }
    return KernelFLOPs(gemm: flops.gemm / Double(batch), depthwise: flops.depthwise / Double(batch))
}
