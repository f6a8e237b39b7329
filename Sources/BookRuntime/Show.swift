import BookProtocol
import Foundation
import Models
import Tensors

/// Shows an image in the chapter's page, under the cell that calls it.
///
/// Accepts `[H, W]` (gray), `[C, H, W]` or `[1, C, H, W]` with C = 1 or 3, values in [0, 1]
/// (clamped). A batch `[N, C, H, W]` with N > 1 is shown as a grid, one image per item, captioned
/// `caption (0)`, `caption (1)`, ….
/// The image is written as a PNG into the chapter's output folder.
///
/// ```swift
/// show(image, caption: "channel 3 of _blocks.6")
/// ```
public func show(_ image: Tensor, caption: String = "") {
    let shape = image.shape
    if shape.count == 4 && shape[0] > 1 {
        let items = (0..<shape[0]).map { item(image, $0) }
        let captions = items.indices.map { caption.isEmpty ? "" : "\(caption) (\($0))" }
        show(grid: items, captions: captions, columns: min(shape[0], 4))
        return
    }
    emit(image, caption: caption, group: nil, columns: nil)
}

/// Shows several images side by side in a grid with `columns` columns, each with its caption.
///
/// ```swift
/// show(grid: images, captions: (0..<4).map { "seed \($0)" }, columns: 4)
/// ```
/// - Parameters:
///   - images: images as accepted by ``show(_:caption:)`` (single images, not batches).
///   - captions: one caption per image, or empty for none.
///   - columns: how many images per row on a wide page (at least 1).
public func show(grid images: [Tensor], captions: [String] = [], columns: Int = 4) {
    precondition(captions.isEmpty || captions.count == images.count,
                 "show(grid:) got \(images.count) images but \(captions.count) captions")
    precondition(columns >= 1, "show(grid:) needs at least one column, got \(columns)")
    let group = Session.shared.nextGroup()
    for (i, image) in images.enumerated() {
        emit(image, caption: captions.isEmpty ? "" : captions[i], group: group, columns: columns)
    }
}

/// Item `n` of a batch `[N, C, H, W]` as `[1, C, H, W]`.
private func item(_ batch: Tensor, _ n: Int) -> Tensor {
    let size = batch.shape[1] * batch.shape[2] * batch.shape[3]
    return Tensor(shape: [1] + batch.shape[1...], scalars: Array(batch.scalars[(n * size)..<((n + 1) * size)]))
}

/// The image as `[1, 3, H, W]`: gray replicated, leading 1s added.
private func rgb(_ image: Tensor) -> Tensor {
    var shape = image.shape
    if shape.count == 2 { shape = [1] + shape }
    if shape.count == 3 { shape = [1] + shape }
    precondition(shape.count == 4 && shape[0] == 1 && (shape[1] == 1 || shape[1] == 3),
                 "show needs an image of shape [H, W], [C, H, W] or [1, C, H, W] with C = 1 or 3, got \(image.shape)")
    if shape[1] == 3 { return image.reshaped(shape) }
    let plane = image.scalars
    return Tensor(shape: [1, 3, shape[2], shape[3]], scalars: plane + plane + plane)
}

private func emit(_ image: Tensor, caption: String, group: Int?, columns: Int?) {
    let picture = rgb(image)
    let session = Session.shared
    guard let (file, path) = session.nextImagePath() else {
        print("[show] \(caption.isEmpty ? "image" : caption) \(picture.shape) (not in a book run: not saved)")
        return
    }
    do {
        try PNG.write(picture, to: path)
    } catch {
        fputs("show: \(error)\n", stderr)
        return
    }
    recordFigure(file: file, caption: caption, width: picture.shape[3], height: picture.shape[2], group: group, columns: columns)
}

/// Reports a figure file (PNG image or SVG chart) written into the run folder to the runner.
func recordFigure(file: String, caption: String, width: Int, height: Int, group: Int? = nil, columns: Int? = nil) {
    let session = Session.shared
    session.record(.image(cell: session.cell, file: file, caption: caption, width: width, height: height,
                          group: group, columns: columns))
}
