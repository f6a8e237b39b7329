// libFuzzer target: PNG decoding through libpng's simplified API.
//
// Any input must either decode to a [1, 3, H, W] tensor in [0, 1] or throw an `ImageError`.
// Built and run by `fuzz/run.sh`.
import Foundation
import Models

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let image = try PNG.decode(bytes, path: "fuzz.png")
        guard image.shape.count == 4, image.shape[0] == 1, image.shape[1] == 3,
              image.scalars.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
            fatalError("PNG.decode returned shape \(image.shape) or values outside [0, 1]")
        }
    } catch is ImageError {
    } catch {
        fatalError("PNG.decode threw \(type(of: error)), not an ImageError: \(error)")
    }
    return 0
}
