/// Hands a producer's chunks to libzip in pieces of the size libzip asks for, and holds the
/// producer to the size declared when the record was added (libzip has already written that
/// size into the local header, and the layout of every later record depends on it).
final class RecordFeed {
    let archivePath: String
    let name: String
    let declaredSize: UInt64
    /// The first error met (a producer's own, or a size mismatch); `close()` rethrows it.
    var failure: Error?
    private let producer: ZipRecordProducer
    private var chunk: [UInt8] = []
    private var chunkPosition = 0
    private var delivered: UInt64 = 0
    private var ended = false

    init(archivePath: String, name: String, declaredSize: UInt64, producer: ZipRecordProducer) {
        self.archivePath = archivePath
        self.name = name
        self.declaredSize = declaredSize
        self.producer = producer
    }

    /// The next at most `max` bytes; an empty slice once the record is complete.
    func next(max: Int) throws -> ArraySlice<UInt8> {
        precondition(max > 0, "libzip asked for nothing")
        while chunkPosition == chunk.count {
            if ended { return [] }
            try pull()
        }
        let end = chunkPosition + min(max, chunk.count - chunkPosition)
        defer { chunkPosition = end }
        return chunk[chunkPosition ..< end]
    }

    /// Fetches the next non-empty chunk, or notes the end; checks the running size.
    private func pull() throws {
        chunk = []  // release the last chunk first, so a producer can refill its buffer without a copy
        chunkPosition = 0
        guard let next = try producer.nextChunk() else {
            guard delivered == declaredSize else { throw mismatch(actual: delivered) }
            ended = true
            return
        }
        let (total, overflow) = delivered.addingReportingOverflow(UInt64(next.count))
        guard !overflow, total <= declaredSize else { throw mismatch(actual: overflow ? .max : total) }
        delivered = total
        chunk = next
        chunkPosition = 0
    }

    private func mismatch(actual: UInt64) -> ContainerError {
        .recordSizeMismatch(path: archivePath, record: name, declared: declaredSize, actual: actual)
    }
}
