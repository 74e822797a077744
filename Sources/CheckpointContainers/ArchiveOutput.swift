import Dispatch
import Synchronization

/// The bytes of a new archive, appended in order: gathered in a few large buffers, each written
/// by a background thread while the caller fills the next, so the kernel's copy into the page
/// cache overlaps with producing and checksumming the records.
///
/// The file is created exclusively (never replacing anything) by `init`. `commit()` writes what is
/// left and closes it; `rollback()` removes it. Memory stays at most `bufferCount` buffers of
/// `bufferCapacity` bytes, smaller ones for a small archive.
final class ArchiveOutput {
    /// Bytes gathered before a buffer goes to the background thread.
    static let bufferCapacity = 8 << 20
    /// Buffers in use at most: one being filled, the others queued or being written.
    static let bufferCount = 3
    /// Bytes per `pwrite`. Larger writes make Linux allocate large page-cache folios, which was
    /// two to three times slower here (kernel 6.18, ext4): 1 GB took 0.31 s in 256 KiB writes,
    /// 0.4–0.55 s in 1 MiB writes and 1.0–1.8 s in 8 MiB writes.
    static let writeSize = 256 << 10
    /// The most bytes copied or filled at once: small enough to stay in a core's L2 cache between
    /// being produced and being checksummed.
    static let pieceSize = 256 << 10
    let path: String
    /// The file offset of the next byte appended (bytes appended so far).
    ///
    /// This, ``current`` and the buffer's bytes and count skip the runtime's exclusivity checks (three per record
    /// appended, a tenth of the writer's instructions for 40,000 small records): no access to them overlaps another
    /// on the filling thread, and the checks never looked across threads (the background thread gets a buffer only
    /// once it is submitted).
    @exclusivity(unchecked) private(set) var position: UInt64 = 0
    private var file: PosixOutputFile?
    private let writes: BackgroundWrites
    @exclusivity(unchecked) private var current: OutputBuffer

    /// Creates the file; `expectedSize` (the archive's final size) only bounds the buffers' size: each holds
    /// at most a `4 * bufferCount`-th of the archive in whole pieces (at least one piece), so that the buffers of
    /// a mid-sized archive together take about a quarter of the archive's size (a 12 MB archive of 40,000 small
    /// records had three 8 MiB buffers, then three of 4.25 MiB; now 1.25 MiB). Archives from 96 MiB on keep
    /// full-sized buffers.
    init(creating path: String, expectedSize: UInt64) throws {
        let piece = UInt64(Self.pieceSize)
        let parts = UInt64(4 * Self.bufferCount)
        let share = (expectedSize + parts - 1) / parts
        let wholePieces = max(piece, (share + piece - 1) / piece * piece)
        let capacity = Int(max(1, min(UInt64(Self.bufferCapacity), expectedSize, wholePieces)))
        self.file = try PosixOutputFile(creating: path)
        self.path = path
        self.writes = BackgroundWrites(bufferCapacity: capacity, maxBuffers: Self.bufferCount)
        self.current = writes.newBuffer(at: 0)
    }

    /// Appends `bytes`, handing each buffer that fills up to the background thread.
    ///
    /// `eachPiece` sees the bytes in pieces of at most `pieceSize` just before each is copied, so a
    /// checksum reads them while the copy will find them in the cache.
    func append(_ bytes: ArraySlice<UInt8>, eachPiece: (ArraySlice<UInt8>) -> Void = { _ in }) throws {
        var next = bytes.startIndex
        while next < bytes.endIndex {
            if current.isFull { try handOff() }
            let count = min(current.space, bytes.endIndex - next, Self.pieceSize)
            eachPiece(bytes[next..<next + count])
            RawMemory.copy(bytes[next..<next + count], into: &current.bytes, at: current.count)
            current.count += count
            position += UInt64(count)
            next += count
        }
    }

    /// Appends `count` bytes that `write` stores in place in the current buffer (a header, built where it will be
    /// written); they are never split between two buffers, so a buffer without room for them goes part full.
    func appendStored(count: Int, _ write: (inout FieldStores) -> Void) throws {
        if current.space < count { try handOff() }
        precondition(current.space >= count, "a buffer smaller than a header")
        FieldStores.write(into: &current.bytes, at: current.count, count: count, write)
        current.count += count
        position += UInt64(count)
    }

    /// Appends `count` bytes that `fill` writes straight into the buffers: `fill(buffer, index, n)`
    /// must set `buffer[index ..< index + n]` (and may read them back while they are in the cache,
    /// to checksum them). The pieces cut the run at every multiple of `pieceSize` and nowhere else,
    /// so no piece splits an element of a power-of-two size up to `pieceSize`; a buffer without
    /// room for the next whole piece goes to the background thread part full.
    func appendFilled(count: UInt64, _ fill: (inout [UInt8], Int, Int) throws -> Void) throws {
        var done: UInt64 = 0
        while done < count {
            let piece = Int(min(UInt64(Self.pieceSize) - done % UInt64(Self.pieceSize), count - done))
            if current.space < piece { try handOff() }
            precondition(current.space >= piece, "a buffer smaller than a piece")
            try fill(&current.bytes, current.count, piece)
            current.count += piece
            position += UInt64(piece)
            done += UInt64(piece)
        }
    }

    /// Appends held bytes without copying them: what is buffered goes to the background thread, then the
    /// held bytes themselves, and filling goes on in a free buffer. At most one held write is queued at a
    /// time (this waits for the previous one), so memory stays bounded by the records the caller holds.
    func appendHeld(_ bytes: RecordBytes) throws {
        guard let file else { preconditionFailure("write after commit or rollback") }
        guard bytes.count > 0 else { return }
        if current.count > 0 {
            writes.submit(current, to: file)
            current = try writes.freeBuffer(at: position + UInt64(bytes.count))
        } else {
            current.fileOffset = position + UInt64(bytes.count)
        }
        try writes.submitHeld(bytes, at: position, to: file)
        position += UInt64(bytes.count)
    }

    /// Appends a whole array.
    func append(_ bytes: [UInt8]) throws {
        try append(bytes[...])
    }

    /// Writes what is buffered, waits for every write and closes the file.
    func commit() throws {
        guard let file else { preconditionFailure("commit after commit or rollback") }
        if current.count > 0 { try handOff() }
        try writes.finish()
        self.file = nil
        try file.close()
    }

    /// Waits for the writes in flight, closes and removes the file.
    func rollback() {
        _ = try? writes.finish()
        if let file {
            try? file.close()
            removeFileIfPresent(path)
        }
        file = nil
    }

    /// Queues the current buffer (full or not) for writing and continues in a free one.
    private func handOff() throws {
        guard let file else { preconditionFailure("write after commit or rollback") }
        writes.submit(current, to: file)
        current = try writes.freeBuffer(at: position)
    }
}

/// A buffer of the archive's bytes and where they belong in the file.
///
/// Handed between the filling thread and the writing queue, never used by both at once: the
/// filler lets go of it when it submits it and gets it back only from the free list.
private final class OutputBuffer: @unchecked Sendable {
    @exclusivity(unchecked) var bytes: [UInt8]
    /// Bytes filled, from the start.
    @exclusivity(unchecked) var count = 0
    /// The file offset of `bytes[0]`.
    var fileOffset: UInt64

    init(capacity: Int, fileOffset: UInt64) {
        bytes = [UInt8](repeating: 0, count: capacity)
        self.fileOffset = fileOffset
    }

    var space: Int { bytes.count - count }
    var isFull: Bool { count == bytes.count }
}

/// `pwrite`s on a serial background queue, and the pool of buffers they return when done.
private final class BackgroundWrites: @unchecked Sendable {
    // Sendable: the free list and the failure are behind mutexes; the queue and semaphore are
    // thread-safe; `allocated` and the capacity are used by the filling thread only.
    private let queue = DispatchQueue(label: "CheckpointContainers.ArchiveOutput")
    private let freed = DispatchSemaphore(value: 0)
    private let free = Mutex<[OutputBuffer]>([])
    private let failure = Mutex<ContainerError?>(nil)
    /// One held write (`submitHeld`) at a time.
    private let heldSlot = DispatchSemaphore(value: 1)
    private let bufferCapacity: Int
    private let maxBuffers: Int
    private var allocated = 0

    init(bufferCapacity: Int, maxBuffers: Int) {
        self.bufferCapacity = bufferCapacity
        self.maxBuffers = maxBuffers
    }

    /// A new buffer (there is always room for the first one).
    func newBuffer(at fileOffset: UInt64) -> OutputBuffer {
        precondition(allocated < maxBuffers, "buffer pool exhausted")
        allocated += 1
        return OutputBuffer(capacity: bufferCapacity, fileOffset: fileOffset)
    }

    /// An empty buffer for bytes from `fileOffset` on: a returned one, a new one while fewer than
    /// `maxBuffers` exist, else the next one a write returns. Throws a background write's error.
    func freeBuffer(at fileOffset: UInt64) throws -> OutputBuffer {
        let buffer: OutputBuffer
        if allocated < maxBuffers, freed.wait(timeout: .now()) == .timedOut {
            buffer = newBuffer(at: fileOffset)
        } else {
            if allocated == maxBuffers { freed.wait() }  // else the wait above already took one
            buffer = free.withLock { $0.removeLast() }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        buffer.count = 0
        buffer.fileOffset = fileOffset
        return buffer
    }

    /// Writes the buffer's bytes in the background, then returns it to the free list. After a
    /// failure nothing more is written.
    func submit(_ buffer: OutputBuffer, to file: PosixOutputFile) {
        nonisolated(unsafe) let output = file  // only this serial queue writes to it meanwhile
        enqueue(count: buffer.count) { range in
            try output.write(buffer.bytes, range: range, at: buffer.fileOffset + UInt64(range.lowerBound))
        } then: { [self] in
            free.withLock { $0.append(buffer) }
            freed.signal()
        }
    }

    /// Writes held bytes in the background, after waiting for the previous held write to finish.
    /// Throws a background write's error.
    func submitHeld(_ bytes: RecordBytes, at fileOffset: UInt64, to file: PosixOutputFile) throws {
        heldSlot.wait()
        if let error = failure.withLock({ $0 }) {
            heldSlot.signal()
            throw error
        }
        nonisolated(unsafe) let output = file  // only this serial queue writes to it meanwhile
        enqueue(count: bytes.count) { range in
            try output.write(bytes, range: range, at: fileOffset + UInt64(range.lowerBound))
        } then: { [self] in
            heldSlot.signal()
        }
    }

    /// On the queue: `write` for each `writeSize` piece of `count` bytes unless a write failed before (the
    /// first error is kept), then `then`.
    private func enqueue(
        count: Int, _ write: @escaping @Sendable (Range<Int>) throws -> Void,
        then: @escaping @Sendable () -> Void
    ) {
        queue.async { [self] in
            if failure.withLock({ $0 }) == nil {
                do {
                    for start in stride(from: 0, to: count, by: ArchiveOutput.writeSize) {
                        try write(start..<min(start + ArchiveOutput.writeSize, count))
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? (error as? ContainerError) }
                }
            }
            then()
        }
    }

    /// Waits for every queued write; throws the first error.
    func finish() throws {
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
