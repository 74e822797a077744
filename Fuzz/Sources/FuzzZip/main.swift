import CheckpointContainers
import FuzzSupport

/// The zip container on a file: open (end records, central directory, local headers, libzip's view),
/// then every record read whole, checked against its CRC, and sliced.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let path = FuzzInputFile.write(data, count)
    guard let archive = try? ZipArchiveReader(path: path) else { return 0 }
    for record in archive.records {
        _ = try? archive.readAll(record, maxSize: 4 << 20)
        if record.size <= 4 << 20 { _ = try? archive.verifyCRC(record) }
        if record.size >= 8 { _ = try? archive.read(record, offset: record.size - 8, count: 8) }
        _ = try? archive.read(record, offset: 0, count: 16)
    }
    return 0
}
