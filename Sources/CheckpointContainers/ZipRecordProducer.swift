/// Supplies a record's bytes in order, a chunk at a time, when the writer asks for them.
///
/// The writer pulls producers lazily during `ZipArchiveWriter.finish()`, one record after
/// another, so a checkpoint never has to be in memory at once. Chunks may have any size;
/// empty chunks are skipped. The total must equal the size given to `addStored`.
///
/// The writer lets go of each chunk before asking for the next, so a producer may return the
/// same array every time and refill it in place (`FileReader.read(offset:into:at:count:)`)
/// without copy-on-write copies or new allocations.
public protocol ZipRecordProducer: AnyObject {
    /// The next chunk of bytes, or nil once every byte was produced. A thrown error aborts
    /// the whole archive and is rethrown by `finish()`.
    func nextChunk() throws -> [UInt8]?
}

/// Serves an array that is already in memory as a single chunk.
final class ArrayProducer: ZipRecordProducer {
    private var bytes: [UInt8]?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func nextChunk() throws -> [UInt8]? {
        defer { bytes = nil }
        return bytes
    }
}
