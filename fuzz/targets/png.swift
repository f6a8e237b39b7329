// libFuzzer target: PNG decoding through libpng's simplified API.
//
// Any input must either decode to a [1, 3, H, W] tensor in [0, 1] or throw an `ImageError`.
// Built and run by `fuzz/run.sh`.
//
// libpng rejects a chunk whose CRC does not match, so a mutated header would almost never get
// past the first check. The target therefore repairs every chunk's CRC before decoding (the usual
// trick for fuzzing PNG readers), and each input is decoded twice: as it is, and repaired.
import Foundation
import Models

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    decode(bytes)
    let repaired = repairingCRCs(bytes)
    if repaired != bytes { decode(repaired) }
    return 0
}

private func decode(_ bytes: [UInt8]) {
    do {
        let image = try PNG.decode(Data(bytes), path: "fuzz.png")
        guard image.shape.count == 4, image.shape[0] == 1, image.shape[1] == 3,
              image.scalars.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            fatalError("PNG.decode returned shape \(image.shape) or values outside [0, 1]")
        }
    } catch is ImageError {
    } catch {
        fatalError("PNG.decode threw \(type(of: error)), not an ImageError: \(error)")
    }
}

/// The bytes with every complete chunk's CRC recomputed.
private func repairingCRCs(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var offset = 8
    while offset + 12 <= bytes.count {
        let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        let end = offset + 8 + length
        guard length >= 0, end + 4 <= bytes.count else { break }
        let crc = crc32(bytes[(offset + 4)..<end])
        for i in 0..<4 { bytes[end + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        offset = end + 4
    }
    return bytes
}

private let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

private func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}
