import Foundation
internal import CPNG
import Tensors

/// Errors reading or writing image files: user input, so typed and naming the file.
public enum ImageError: Error, CustomStringConvertible, Equatable {
    /// No file at the path.
    case notFound(String)
    /// The file exists but does not start with the PNG signature.
    case notPNG(String)
    /// The file is a PNG but libpng could not decode it (truncated, bad CRC, …).
    case corrupt(String, String)
    /// The image could not be encoded or the file could not be written.
    case writeFailed(String, String)
    /// The header declares more pixels than ``PNG/maximumPixels``: refused before allocating.
    case tooLarge(String, width: Int, height: Int)

    public var description: String {
        switch self {
        case let .notFound(path): return "\(path): no such image file"
        case let .notPNG(path): return "\(path): not a PNG file"
        case let .corrupt(path, message): return "\(path): corrupt PNG: \(message)"
        case let .writeFailed(path, message): return "\(path): cannot write PNG: \(message)"
        case let .tooLarge(path, width, height):
            return "\(path): the PNG is \(width)×\(height) pixels, more than the \(PNG.maximumPixels / 1_000_000)-megapixel limit"
        }
    }
}

/// PNG image I/O through libpng's simplified API.
///
/// Images are tensors `[1, 3, H, W]` with RGB values in [0, 1]. Reading accepts 8- and 16-bit
/// gray, gray+alpha, RGB, RGBA and palette PNGs: gray is replicated to three channels, alpha is
/// dropped (the colour values are kept as stored, not composited), 16-bit samples are reduced to
/// 8 bits. Writing produces an 8-bit RGB PNG, atomically (a temporary file in the same folder,
/// then a rename), so a reader never sees half a file.
///
/// libpng reports errors with `longjmp`; the simplified API catches them inside libpng and
/// returns them through `png_image.message`, so no jump ever crosses Swift frames.
///
/// ```swift
/// let cat = try PNG.read("data/photos/chelsea.png")   // [1, 3, 300, 451]
/// try PNG.write(cat, to: "/tmp/cat.png")
/// ```
public enum PNG {
    /// The largest image read (pixels): 64 megapixels, e.g. 8192 × 8192. A header is only a few
    /// bytes, so without a limit a tiny file could ask for terabytes.
    public static let maximumPixels = 1 << 26

    /// Reads the PNG file at `path` into a `[1, 3, H, W]` tensor in [0, 1].
    ///
    /// - Throws: ``ImageError/notFound(_:)``, ``ImageError/notPNG(_:)`` or
    ///   ``ImageError/corrupt(_:_:)``, each naming `path`.
    public static func read(_ path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ImageError.corrupt(path, "cannot read the file")
            }
            throw ImageError.notFound(path)
        }
        return try decode(data, path: path)
    }

    /// Decodes PNG bytes into a `[1, 3, H, W]` tensor in [0, 1]; `path` only names the source in errors.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Tensor {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard data.count >= 8, Array(data.prefix(8)) == signature else { throw ImageError.notPNG(path) }

        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = data.withUnsafeBytes { bytes in
            png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count)
        }
        guard begun != 0 else { throw ImageError.corrupt(path, message(of: &image)) }
        defer { png_image_free(&image) }

        // Read everything as 8-bit sRGB RGBA: libpng expands palettes, replicates gray and reduces
        // 16-bit samples. Without a gAMA/sRGB chunk a 16-bit file counts as sRGB-encoded, like 8-bit.
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let width = Int(image.width), height = Int(image.height)
        guard width * height <= maximumPixels else { throw ImageError.tooLarge(path, width: width, height: height) }
        var pixels = [UInt8](repeating: 0, count: width * height * 4)
        let finished = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
        }
        guard finished != 0 else { throw ImageError.corrupt(path, message(of: &image)) }

        let plane = width * height
        var scalars = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { scalars[c * plane + i] = Float(pixels[4 * i + c]) / 255 }
        }
        return Tensor(shape: [1, 3, height, width], scalars: scalars)
    }

    /// Encodes a `[1, 3, H, W]` or `[3, H, W]` tensor as 8-bit RGB PNG bytes.
    ///
    /// Values are clamped to [0, 1] (NaN becomes 0) and rounded to the nearest of 256 levels.
    /// A tensor of another shape is a programmer mistake and traps with its shape.
    public static func encode(_ tensor: Tensor) throws -> Data {
        let shape = tensor.shape
        precondition((shape.count == 4 && shape[0] == 1 && shape[1] == 3) || (shape.count == 3 && shape[0] == 3),
                     "PNG.encode needs an image of shape [1, 3, H, W] or [3, H, W], got \(shape)")
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        precondition(height > 0 && width > 0, "PNG.encode needs a non-empty image, got shape \(shape)")
        let plane = width * height
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        tensor.scalars.withUnsafeBufferPointer { values in
            for i in 0..<plane {
                for c in 0..<3 {
                    let v = values[c * plane + i]
                    let clamped = v.isNaN ? 0 : Swift.min(Swift.max(v, 0), 1)
                    pixels[3 * i + c] = UInt8((clamped * 255).rounded())
                }
            }
        }

        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        var size: png_alloc_size_t = 0
        // First pass measures, second pass writes.
        let measured = pixels.withUnsafeBytes { buffer in
            png_image_write_to_memory(&image, nil, &size, 0, buffer.baseAddress, 0, nil)
        }
        guard measured != 0, size > 0 else { throw ImageError.writeFailed("<memory>", message(of: &image)) }
        var output = Data(count: Int(size))
        let written = output.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { buffer in
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, buffer.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw ImageError.writeFailed("<memory>", message(of: &image)) }
        output.count = Int(size)
        return output
    }

    /// Writes `tensor` (`[1, 3, H, W]` or `[3, H, W]`, values in [0, 1]) to `path` as an 8-bit RGB
    /// PNG, atomically: a temporary file in the same folder is renamed over `path`.
    ///
    /// - Throws: ``ImageError/writeFailed(_:_:)`` naming `path` (missing folder, no permission, …).
    public static func write(_ tensor: Tensor, to path: String) throws {
        let data: Data
        do { data = try encode(tensor) } catch let ImageError.writeFailed(_, message) {
            throw ImageError.writeFailed(path, message)
        }
        try writeAtomically(data, to: path)
    }

    /// Writes `data` to a temporary file beside `path`, then renames it over `path`. Every system
    /// call is checked, so a full disk or a missing folder is an error with the system's reason
    /// and `path` keeps its previous content.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        func reason() -> String { String(cString: strerror(errno)) }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let why = reason()
            throw ImageError.writeFailed(path, FileManager.default.fileExists(atPath: folder.path)
                                         ? "cannot create a file in \(folder.path): \(why)" : "no folder \(folder.path)")
        }
        var failure: String?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count, failure == nil {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { failure = reason() }
            }
        }
        if close(fd) != 0, failure == nil { failure = reason() }
        if failure == nil, rename(temporary.path, url.path) != 0 { failure = reason() }
        if let failure {
            unlink(temporary.path)
            throw ImageError.writeFailed(path, failure)
        }
    }

    /// libpng's message for the last failure, as a Swift string.
    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error" : text
    }
}
