import Foundation
internal import CPNG

/// What a PNG looks like: a 64-bit difference hash (the image in grey, averaged into 9 × 8
/// cells, one bit per pair of horizontal neighbours: is the left one brighter?) and its mean grey.
/// Resizing and small changes flip few bits; a different picture flips about half (and flat
/// pictures, whose bits are all 0, differ in their grey). The index uses it so no two chapters
/// get the same-looking thumbnail.
///
/// ```swift
/// if let a = ImageFingerprint(path: first), let b = ImageFingerprint(path: second), a.looksLike(b) { … }
/// ```
struct ImageFingerprint: Equatable {
    var bits: UInt64
    /// The mean grey, 0…255.
    var grey: Double

    /// Pictures whose hashes differ in at most this many of 64 bits look alike (a picture and its
    /// resized copy differ in 0–3; two renders of different channels in 20–40).
    static let alikeBits = 8

    /// Reads and hashes the PNG at `path`; nil if it cannot be read.
    init?(path: String) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else { return nil }
        image.format = UInt32(PNG_FORMAT_GRAY)
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0 else { png_image_free(&image); return nil }
        var pixels = [UInt8](repeating: 0, count: width * height)
        guard png_image_finish_read(&image, nil, &pixels, 0, nil) != 0 else { png_image_free(&image); return nil }
        var cells = [Double](repeating: 0, count: 9 * 8)
        for row in 0..<8 {
            let (y0, y1) = (row * height / 8, max((row + 1) * height / 8, row * height / 8 + 1))
            for column in 0..<9 {
                let (x0, x1) = (column * width / 9, max((column + 1) * width / 9, column * width / 9 + 1))
                var sum = 0
                for y in y0..<min(y1, height) { for x in x0..<min(x1, width) { sum += Int(pixels[y * width + x]) } }
                cells[row * 9 + column] = Double(sum) / Double((x1 - x0) * (y1 - y0))
            }
        }
        grey = cells.reduce(0, +) / Double(cells.count)
        bits = 0
        for row in 0..<8 { for column in 0..<8 {
            bits = bits << 1 | (cells[row * 9 + column] > cells[row * 9 + column + 1] ? 1 : 0)
        } }
    }

    func looksLike(_ other: ImageFingerprint) -> Bool {
        (bits ^ other.bits).nonzeroBitCount <= Self.alikeBits && abs(grey - other.grey) < 16
    }
}
