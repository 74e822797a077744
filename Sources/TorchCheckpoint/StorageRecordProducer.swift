import CheckpointContainers

/// Streams one copied storage's bytes to the zip writer, reading them only when the writer reaches the
/// record, straight into the writer's buffer (no array per chunk), so a checkpoint of any size is written in
/// little memory at the speed of a copy.
final class StorageRecordProducer: ZipRecordFiller {
    private let checkpoint: Checkpoint
    private let window: StorageReadWindow
    private let source: TorchStorage
    private let byteCount: Int
    private let meter: ProgressMeter
    private var position = 0

    /// The producer of a draft storage's record: copies are filled in, computed bytes are handed over whole.
    /// `windows` holds the read window of each checkpoint copied from, made when its first storage is met.
    static func make(
        _ storage: DraftStorage, key: String, meter: ProgressMeter, computed: (any ComputedTensorSource)?,
        windows: inout [ObjectIdentifier: StorageReadWindow]
    ) throws -> ZipRecordProducer {
        switch storage.content {
        case .copy(let checkpoint, let source):
            let window = try windows[ObjectIdentifier(checkpoint)] ?? StorageReadWindow(checkpoint)
            windows[ObjectIdentifier(checkpoint)] = window
            return StorageRecordProducer(
                checkpoint: checkpoint, window: window, source: source, byteCount: storage.byteCount, meter: meter)
        case .computed(let id):
            guard let computed else { preconditionFailure("a draft with computed tensors is written with their source") }
            return ComputedRecordProducer(
                byteCount: storage.byteCount, key: key, meter: meter, produce: { try computed.bytes(of: id) })
        case .inline(let bytes):
            return ComputedRecordProducer(byteCount: storage.byteCount, key: key, meter: meter, produce: { bytes })
        }
    }

    private init(checkpoint: Checkpoint, window: StorageReadWindow, source: TorchStorage, byteCount: Int, meter: ProgressMeter) {
        self.checkpoint = checkpoint
        self.window = window
        self.source = source
        self.byteCount = byteCount
        self.meter = meter
    }

    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws {
        try window.readRaw(source, offset: position, into: &buffer, at: index, count: count)
        if checkpoint.format.isBigEndian { ByteSwap.swapElements(&buffer, in: index..<index + count, dtype: source.dtype) }
        position += count
        meter.advance(by: count)
    }

    /// The same bytes as whole chunks, for writers that pull rather than fill.
    func nextChunk() throws -> [UInt8]? {
        guard position < byteCount else { return nil }
        let count = min(ZipArchiveWriter.fillPieceSize * 32, byteCount - position)
        var chunk = [UInt8](repeating: 0, count: count)
        try fill(&chunk, at: 0, count: count)
        return chunk
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
