// FeatureVis: feature visualization by optimization, in Lucid's vocabulary, one folder each:
//
// * Parameterizations/ — how an image is made from the optimized numbers: pixels or a 1/f-scaled
//   Fourier spectrum (irfft2: Tensors' FFT op), decorrelated colour, sigmoid or clamp.
// * Transforms/ — named, seeded, differentiable jitter/pad/scale/rotate; `Transform.standard`.
// * Objectives/ — channel, neuron, DeepDream, direction, class logit, diversity, L1, total
//   variation, blur; `+ − ×` algebra; each declares the layers it reads.
// * Render/ — `Recipe` (the arguments of Lucid's `render_vis`), Adam, the render loop, `Method` and
//   `FeatureVisualizer` (basic, naive, multiscale, diverse, summed scales).
// * Metrics/ — activation vs natural-image patches, robustness, high-frequency share, batch
//   similarity, montage.
// * Ops/ — the differentiable ops the engine does not have: bilinear warps,
//   per-pixel channel mixing.
//
//     let visualizer = FeatureVisualizer(model: try EfficientNetLite0.pretrained(), photosDirectory: "data/photos")
//     let v = try visualizer.visualizeFeature(layer: "_blocks.8", channel: 3)
//     try PNG.write(v.image, to: "channel-3.png")
