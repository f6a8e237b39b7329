import Models
import Tensors

extension Objective {
    /// The objective's value on fixed images `[N, 3, H, W]`, fed to the network as they are
    /// (no transforms, no resizing): for metrics and tests.
    /// - Throws: as ``render(_:on:progress:)`` does for the objective's layers, channels and batch indices.
    ///
    /// ```swift
    /// let v = try Objective.channel("_blocks.8", 3).evaluate(on: model, image: photo)
    /// ```
    public func evaluate(on network: Network, image: Tensor) throws -> Float {
        let tape = Tape()
        let x = tape.constant(image)
        let reader = try LayerReader(network: network, objective: self, batch: image.shape[0])
        return self(reader.inputs(image: x, input: x)).value.scalar
    }
}
