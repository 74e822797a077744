/// Pulls a producer's chunks for one record and holds the producer to the size declared when
/// the record was added (the layout of every later record, and the offsets `addStored` returned,
/// depend on it).
final class RecordFeed {
    let archivePath: String
    let name: String
    let declaredSize: UInt64
    private let producer: ZipRecordProducer
    private var delivered: UInt64 = 0
    private var ended = false

    init(archivePath: String, name: String, declaredSize: UInt64, producer: ZipRecordProducer) {
        self.archivePath = archivePath
        self.name = name
        self.declaredSize = declaredSize
        self.producer = producer
    }

    /// The next non-empty chunk, or nil once exactly the declared size was delivered.
    ///
    /// Throws the producer's own error unchanged, or `recordSizeMismatch` as soon as the producer
    /// passes the declared size or ends short of it.
    func nextChunk() throws -> [UInt8]? {
        while !ended {
            guard let chunk = try producer.nextChunk() else {
                guard delivered == declaredSize else { throw mismatch(actual: delivered) }
                ended = true
                return nil
            }
            let (total, overflow) = delivered.addingReportingOverflow(UInt64(chunk.count))
            guard !overflow, total <= declaredSize else { throw mismatch(actual: overflow ? .max : total) }
            delivered = total
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }

    private func mismatch(actual: UInt64) -> ContainerError {
        .recordSizeMismatch(path: archivePath, record: name, declared: declaredSize, actual: actual)
    }
}
