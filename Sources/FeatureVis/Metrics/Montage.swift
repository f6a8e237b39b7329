import Tensors

/// Several images composed into one grid, for figures (captions are drawn by the HTML).
///
/// ```swift
/// let grid = montage(results.map(\.image), columns: 5, gap: 4)   // [1, 3, H', W']
/// try PNG.write(grid, to: "montage.png")
/// ```
///
/// - Parameters:
///   - images: tensors `[N, 3, H, W]`; every image of every batch is one cell, in order.
///     Cells of different sizes are placed at their cell's top-left corner.
///   - columns: cells per row (default: all in one row).
///   - gap: pixels between cells and around the border.
///   - background: the gap's grey level.
public func montage(_ images: [Tensor], columns: Int? = nil, gap: Int = 4, background: Float = 1) -> Tensor {
    let cells: [Tensor] = images.flatMap { t -> [Tensor] in
        precondition(t.rank == 4 && t.shape[1] == 3, "montage expects [N, 3, H, W], got \(t.shape)")
        let size = 3 * t.shape[2] * t.shape[3]
        return (0..<t.shape[0]).map { Tensor(shape: [3, t.shape[2], t.shape[3]], scalars: Array(t.scalars[$0 * size..<($0 + 1) * size])) }
    }
    precondition(!cells.isEmpty, "montage needs at least one image")
    let cols = max(1, min(columns ?? cells.count, cells.count))
    let rows = (cells.count + cols - 1) / cols
    let cellH = cells.map { $0.shape[1] }.max()!, cellW = cells.map { $0.shape[2] }.max()!
    let (h, w) = (rows * cellH + (rows + 1) * gap, cols * cellW + (cols + 1) * gap)
    var out = Tensor(shape: [1, 3, h, w], repeating: background)
    for (k, cell) in cells.enumerated() {
        let top = gap + (k / cols) * (cellH + gap), left = gap + (k % cols) * (cellW + gap)
        let (ch, cw) = (cell.shape[1], cell.shape[2])
        for c in 0..<3 {
            for y in 0..<ch {
                for x in 0..<cw {
                    out.scalars[(c * h + top + y) * w + left + x] = cell.scalars[(c * ch + y) * cw + x]
                }
            }
        }
    }
    return out
}
