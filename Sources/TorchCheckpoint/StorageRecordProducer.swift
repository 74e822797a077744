import CheckpointContainers

/// Streams one storage's bytes to the zip writer in bounded chunks, reading or computing them only when
/// the writer reaches the record, so a checkpoint of any size is written in little memory.
final class StorageRecordProducer: ZipRecordProducer {
    /// Copies are read this many bytes at a time.
    static let chunkSize = 8 << 20

    private let storage: DraftStorage
    private let key: String
    private var position = 0
    private var computed: [UInt8]?

    private let meter: ProgressMeter

    init(_ storage: DraftStorage, key: String, meter: ProgressMeter) {
        self.storage = storage
        self.key = key
        self.meter = meter
    }

    func nextChunk() throws -> [UInt8]? {
        switch storage.content {
        case .copy(let checkpoint, let source):
            guard position < source.byteCount else { return nil }
            let count = min(Self.chunkSize, source.byteCount - position)
            var chunk = try checkpoint.rawBytes(of: source, offset: position, count: count)
            if checkpoint.format.isBigEndian { ByteSwap.swapElements(&chunk, dtype: source.dtype) }
            position += count
            meter.advance(by: count)
            return chunk
        case .computed(let produce):
            guard computed == nil else { return nil }
            let bytes = try produce()
            guard bytes.count == storage.byteCount else {
                throw CheckpointError.Reason.sizeMismatch(
                    what: "computed storage \(key)", expected: UInt64(storage.byteCount), actual: UInt64(bytes.count))
            }
            computed = []
            meter.advance(by: bytes.count)
            return bytes
        }
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
