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

/// A producer that writes its bytes straight into the writer's output buffers.
///
/// For records copied from another file this saves, per chunk, an allocation (fresh pages cost
/// the kernel a fault and a clearing each) and a copy: the bytes go from the page cache into the
/// buffer that is then checksummed and written (`FileReader.read(offset:into:at:count:)` has this
/// very shape). The writer uses `fill` instead of `nextChunk` for such producers.
public protocol ZipRecordFiller: ZipRecordProducer {
    /// Writes the record's next `count` bytes into `buffer[index ..< index + count]`, exactly.
    ///
    /// The writer asks, in order, for exactly the size given to `addStored` in total, in pieces
    /// that end at every multiple of `ZipArchiveWriter.fillPieceSize` (256 KiB) of the record and at
    /// its end, nowhere else: a filler that converts elements in place (byte order) never sees one
    /// cut in two. The buffer's other bytes must stay untouched. A thrown error aborts the whole
    /// archive and is rethrown by `finish()`.
    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws
}

/// A producer whose record is computed whole and held in memory: the writer sends those bytes to the file
/// as they are (`ArchiveOutput.appendHeld`), checksummed once, never copied into its buffers.
public protocol ZipHeldRecordProducer: ZipRecordProducer {
    /// The record's bytes, exactly the size given to `addStored`; asked once. A thrown error aborts the
    /// whole archive and is rethrown by `finish()`.
    func heldBytes() throws -> RecordBytes
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

/// Hands bytes already in memory to the writer whole, as held bytes: written as they are, not copied into the
/// archive's buffers (worth it for a large record such as a checkpoint's pickle); let go once written.
public final class HeldBytesProducer: ZipHeldRecordProducer {
    private var bytes: RecordBytes?

    public init(_ bytes: RecordBytes) {
        self.bytes = bytes
    }

    public func heldBytes() throws -> RecordBytes {
        defer { bytes = nil }
        guard let bytes else { preconditionFailure("held bytes are asked for once") }
        return bytes
    }

    public func nextChunk() throws -> [UInt8]? {
        defer { bytes = nil }
        return bytes?.array
    }
}

/// Serves bytes already in memory as the pieces they were made in (a pickle too large for one piece), letting
/// go of each once the writer has it.
public final class PiecesProducer: ZipRecordProducer {
    private var pieces: [[UInt8]]
    private var next = 0

    public init(_ pieces: [[UInt8]]) {
        self.pieces = pieces
    }

    public func nextChunk() throws -> [UInt8]? {
        guard next < pieces.count else { return nil }
        defer {
            pieces[next] = []
            next += 1
        }
        return pieces[next]
    }
}
