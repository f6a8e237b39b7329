// libFuzzer target: the checkpoint readers (stored zip, torch pickle, legacy torch.save,
// safetensors) and the model constructors' key and shape checks.
//
// Any input must either load or throw a `CheckpointError`; a trap, an address-sanitizer report,
// a leak or another error type is a finding. Built and run by `fuzz/run.sh`.
import Foundation
import Models

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let checkpoint = try Checkpoint(bytes: bytes, file: "fuzz.pth")
        // A loaded file goes on to the checks a model makes on its keys and shapes.
        _ = try? TinyNet(checkpoint: checkpoint)
    } catch is CheckpointError {
    } catch {
        fatalError("Checkpoint threw \(type(of: error)), not a CheckpointError: \(error)")
    }
    return 0
}
