import FuzzSupport
import TorchCheckpoint

/// torch's legacy format (five pickles, then the storages) through the checkpoint reader, then every
/// small tensor's elements read. Inputs that do not start with the legacy magic number get it, so the
/// fuzzer spends its time past the format check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacy(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let magic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    var bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if !bytes.starts(with: magic) { bytes = magic + bytes }
    let path = bytes.withUnsafeBufferPointer { FuzzInputFile.write($0.baseAddress!, $0.count) }
    guard let checkpoint = try? CheckpointReader.open(path) else { return 0 }
    for (_, tensor) in checkpoint.tensors where tensor.byteCount <= 1 << 20 {
        _ = try? checkpoint.contiguousBytes(of: tensor)
    }
    return 0
}
