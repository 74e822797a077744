import CheckpointInspection
import FuzzSupport
import TorchCheckpoint

/// What `merge-daconv inspect` and `inspect --audit` do with a file, end to end: open it (zip or legacy),
/// describe it as text and JSON, audit its globals; then read every small tensor and check every CRC.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInspect(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let path = FuzzInputFile.write(data, count)
    if let audit = try? CheckpointAudit.audit(path) {
        _ = audit.text()
        _ = audit.json().serialized()
    }
    guard let checkpoint = try? CheckpointReader.open(path) else { return 0 }
    if let inspection = try? CheckpointInspection(checkpoint) {
        _ = inspection.text()
        _ = inspection.json().serialized()
    }
    for (_, tensor) in checkpoint.tensors where tensor.byteCount <= 1 << 20 {
        _ = try? checkpoint.contiguousBytes(of: tensor)
    }
    for storage in checkpoint.storages.values where storage.byteCount <= 4 << 20 {
        _ = try? checkpoint.verifyCRC(of: storage)
    }
    return 0
}
