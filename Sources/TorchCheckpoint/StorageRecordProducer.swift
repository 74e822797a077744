import CheckpointContainers

/// Streams one storage's bytes to the zip writer, reading or computing them only when the writer reaches
/// the record: copies are read straight into the writer's buffer (no array per chunk), so a checkpoint of
/// any size is written in little memory at the speed of a copy.
final class StorageRecordProducer: ZipRecordFiller {
    private let storage: DraftStorage
    private let key: String
    private let meter: ProgressMeter
    private var position = 0
    private var computed: [UInt8]?

    init(_ storage: DraftStorage, key: String, meter: ProgressMeter) {
        self.storage = storage
        self.key = key
        self.meter = meter
    }

    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws {
        switch storage.content {
        case .copy(let checkpoint, let source):
            try checkpoint.readRaw(source, offset: position, into: &buffer, at: index, count: count)
            if checkpoint.format.isBigEndian { ByteSwap.swapElements(&buffer, in: index..<index + count, dtype: source.dtype) }
        case .computed(let produce):
            if computed == nil {
                let bytes = try produce()
                guard bytes.count == storage.byteCount else {
                    throw CheckpointError.Reason.sizeMismatch(
                        what: "computed storage \(key)", expected: UInt64(storage.byteCount), actual: UInt64(bytes.count))
                }
                computed = bytes
            }
            buffer.replaceSubrange(index..<index + count, with: computed![position..<position + count])
        }
        position += count
        meter.advance(by: count)
        if position == storage.byteCount { computed = nil }
    }

    /// The same bytes as whole chunks, for writers that pull rather than fill.
    func nextChunk() throws -> [UInt8]? {
        guard position < storage.byteCount else { return nil }
        let count = min(ZipArchiveWriter.fillPieceSize * 32, storage.byteCount - position)
        var chunk = [UInt8](repeating: 0, count: count)
        try fill(&chunk, at: 0, count: count)
        return chunk
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
