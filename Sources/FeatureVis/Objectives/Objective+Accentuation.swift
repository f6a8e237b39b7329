import Tensors

extension Objective {
    /// Feature accentuation's regularizer (Hamblin, Fel et al., 2024), as a penalty to subtract:
    /// the squared L2 distance between image `batch`'s activations at `layer` and those of image
    /// `reference` (the seed photo, which ``Recipe/reference`` appends to the batch and which is
    /// transformed with it), relative to the reference's own squared norm:
    /// `‖a[batch] − a[reference]‖² / ‖a[reference]‖²`. Zero when the image still is the photo.
    ///
    /// ```swift
    /// let accent = Objective.channel("_blocks.10", 7, batch: 0) - 30 * .activationDistance("_blocks.4", batch: 0, reference: 1)
    /// ```
    public static func activationDistance(_ layer: String, batch: Int, reference: Int) -> Objective {
        Objective(name: "activationDistance(\(layer), batch \(batch), reference \(reference))",
                  key: keyCall("activationDistance", layer, batch, reference), layers: [layer],
                  requirements: [.batchItem(batch), .batchItem(reference)]) { inputs in
            let a = inputs[layer]
            let x = slice(a, axis: 0, range: batch..<batch + 1)
            let r = slice(a, axis: 0, range: reference..<reference + 1)
            let d = x - r
            return (d * d).sum() * (1 / max((r.value.scalars.reduce(0) { $0 + $1 * $1 }), 1e-6))
        }
    }
}
