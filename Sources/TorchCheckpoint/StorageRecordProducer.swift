import CheckpointContainers

/// Streams the copied storages' bytes to the zip writer, reading them only when the writer reaches each record,
/// straight into the writer's buffer (no array per chunk), so a checkpoint of any size is written in little
/// memory at the speed of a copy. One filler serves every copied record of a write: the writer fills records
/// in the order they were added, each exactly its size, so the filler follows its own list of them and a
/// checkpoint of many storages makes no producer per record.
final class CopiedStorageFiller: ZipRecordFiller {
    private let meter: ProgressMeter
    /// The copied storages in the order their records were added.
    private var sources: [(checkpoint: Checkpoint, storage: TorchStorage)] = []
    private var windows: [ObjectIdentifier: StorageReadWindow] = [:]
    /// The record being filled (an index into `sources`), and how far.
    private var current = -1
    private var position = 0

    /// `records`: how many records the writer will ask for at most (the list of copies is sized once, not grown
    /// by doubling: 40,000 entries take 4 MB).
    init(meter: ProgressMeter, records: Int = 0) {
        self.meter = meter
        sources.reserveCapacity(records)
    }

    /// The producer of a draft storage's record: copies are added to this filler (the caller adds their
    /// records in this order), computed bytes are handed over whole.
    func producer(for storage: DraftStorage, key: String, computed: (any ComputedTensorSource)?) throws -> ZipRecordProducer {
        switch storage.content {
        case .copy(let checkpoint, let source):
            // Storages nearly always come from one checkpoint: the table is asked only when it changes.
            if checkpoint !== sources.last?.checkpoint, windows[ObjectIdentifier(checkpoint)] == nil {
                windows[ObjectIdentifier(checkpoint)] = StorageReadWindow(checkpoint)
            }
            sources.append((checkpoint, source))
            return self
        case .computed(let id):
            guard let computed else { preconditionFailure("a draft with computed tensors is written with their source") }
            return ComputedRecordProducer(
                byteCount: storage.byteCount, key: key, meter: meter, produce: { try computed.bytes(of: id) })
        case .inline(let bytes):
            return ComputedRecordProducer(byteCount: storage.byteCount, key: key, meter: meter, produce: { bytes })
        }
    }

    /// The next record's bytes begin where the last record's end (a record of 0 bytes is never asked for).
    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws {
        while current < 0 || position == sources[current].storage.byteCount {
            current += 1
            position = 0
        }
        try copy(into: &buffer, at: index, count: count)
    }

    /// The same bytes as chunks, for writers that pull rather than fill (a writer does one or the other): each
    /// record's chunks, then nil at its end.
    func nextChunk() throws -> [UInt8]? {
        if current < 0 { current = 0 }
        guard current < sources.count else { return nil }
        let remaining = sources[current].storage.byteCount - position
        guard remaining > 0 else {
            current += 1
            position = 0
            return nil
        }
        var chunk = [UInt8](repeating: 0, count: min(ZipArchiveWriter.fillPieceSize * 32, remaining))
        try copy(into: &chunk, at: 0, count: chunk.count)
        return chunk
    }

    /// The current record's next `count` bytes, in little-endian order.
    private func copy(into buffer: inout [UInt8], at index: Int, count: Int) throws {
        let (checkpoint, source) = sources[current]
        try windows[ObjectIdentifier(checkpoint)]!.readRaw(source, offset: position, into: &buffer, at: index, count: count)
        if checkpoint.format.isBigEndian { ByteSwap.swapElements(&buffer, in: index..<index + count, dtype: source.dtype) }
        position += count
        meter.advance(by: count)
    }
}

/// Hands a computed storage's bytes to the zip writer as they were computed (no copy), checking their size.
final class ComputedRecordProducer: ZipHeldRecordProducer {
    private let byteCount: Int
    private let key: String
    private let meter: ProgressMeter
    private let produce: @Sendable () throws -> RecordBytes
    private var produced = false

    init(byteCount: Int, key: String, meter: ProgressMeter, produce: @escaping @Sendable () throws -> RecordBytes) {
        self.byteCount = byteCount
        self.key = key
        self.meter = meter
        self.produce = produce
    }

    func heldBytes() throws -> RecordBytes {
        let bytes = try produce()
        guard bytes.count == byteCount else {
            throw CheckpointError.Reason.sizeMismatch(
                what: "computed storage \(key)", expected: UInt64(byteCount), actual: UInt64(bytes.count))
        }
        produced = true
        meter.advance(by: bytes.count)
        return bytes
    }

    /// The same bytes as one chunk, for writers that pull.
    func nextChunk() throws -> [UInt8]? {
        produced ? nil : try heldBytes().array
    }
}

/// Counts written bytes for a progress callback; the writer calls it from one thread.
final class ProgressMeter: @unchecked Sendable {
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?
    private var written = 0

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    func advance(by count: Int) {
        written += count
        report?(written, total)
    }
}
