import CheckpointContainers
import XCTest

/// Streams one record of an archive being read, `chunkSize` bytes at a time, refilling one buffer
/// in place (as the layers above do when they copy a storage).
final class RecordCopyProducer: ZipRecordProducer {
    private let reader: ZipArchiveReader
    private let record: ZipRecord
    private var offset: UInt64 = 0
    private let chunkSize: Int
    private var buffer: [UInt8] = []

    init(_ reader: ZipArchiveReader, _ record: ZipRecord, chunkSize: Int = 8 << 20) {
        self.reader = reader
        self.record = record
        self.chunkSize = chunkSize
    }

    func nextChunk() throws -> [UInt8]? {
        guard offset < record.size else { return nil }
        if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: Int(min(UInt64(chunkSize), record.size))) }
        let count = Int(min(UInt64(buffer.count), record.size - offset))
        if count < buffer.count { buffer = [UInt8](repeating: 0, count: count) }
        try reader.read(record, offset: offset, into: &buffer, at: 0, count: count)
        offset += UInt64(count)
        return buffer
    }
}

/// Reads one record of an archive straight into the writer's buffers.
final class RecordCopyFiller: ZipRecordFiller {
    private let reader: ZipArchiveReader
    private let record: ZipRecord
    private var offset: UInt64 = 0

    init(_ reader: ZipArchiveReader, _ record: ZipRecord) {
        self.reader = reader
        self.record = record
    }

    func nextChunk() throws -> [UInt8]? {
        XCTFail("the writer fills a ZipRecordFiller")
        return nil
    }

    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws {
        try reader.read(record, offset: offset, into: &buffer, at: index, count: count)
        offset += UInt64(count)
    }
}

/// Writes every record of `reader` again, in order, with the same names, into a new archive at
/// `path`, with the alignment `.storage_alignment` gives (64 without it); returns the planned data offsets.
@discardableResult
func rewrite(_ reader: ZipArchiveReader, to path: String, chunkSize: Int = 8 << 20, filling: Bool = false) throws -> [UInt64] {
    var alignment: UInt64 = 64
    if let record = reader.records.first(where: { $0.name.hasSuffix("/.storage_alignment") }),
        let value = UInt64(String(decoding: try reader.readAll(record, maxSize: 32), as: UTF8.self))
    {
        alignment = value
    }
    let writer = try ZipArchiveWriter(path: path, alignment: alignment)
    let offsets = try reader.records.map { record in
        let producer: ZipRecordProducer =
            filling
            ? RecordCopyFiller(reader, record) : RecordCopyProducer(reader, record, chunkSize: chunkSize)
        return try writer.addStored(name: record.name, size: record.size, producer: producer)
    }
    try writer.finish()
    return offsets
}
