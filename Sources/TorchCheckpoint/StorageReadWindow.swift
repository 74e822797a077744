import CheckpointContainers

/// Reads the bytes of copied storages for the writer a window at a time. The records of a checkpoint with many
/// small tensors lie one after another in its file, and the writer copies them in about that order, so one read
/// of a window serves many records where a positioned read each cost a system call each (40,000 records of 16
/// bytes: 40,000 reads). Large reads, and bytes not stored as they are in the file (deflated records), go to
/// the checkpoint as before.
final class StorageReadWindow {
    /// Bytes read at once when a small read falls outside the window.
    static let windowSize = 1 << 20
    /// Reads larger than this go straight to the checkpoint: they are efficient already.
    static let largestWindowedRead = 64 << 10

    private let checkpoint: Checkpoint
    private var window: [UInt8] = []
    private var windowStart: UInt64 = 0
    /// Where the next storage's record is looked for first: the writer copies them in file order.
    private var recordHint = 0

    init(_ checkpoint: Checkpoint) {
        self.checkpoint = checkpoint
    }

    /// Whether this window reads for `checkpoint`.
    func serves(_ other: Checkpoint) -> Bool { other === checkpoint }

    /// Copies raw storage bytes (the file's byte order) into `buffer[index...]`, as `Checkpoint.readRaw` does.
    func readRaw(_ storage: TorchStorage, offset: Int, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        precondition(offset >= 0 && count >= 0 && offset + count <= storage.byteCount, "range inside the storage")
        guard count <= Self.largestWindowedRead, let start = checkpoint.bytes.storedFileOffset(storage.source, hint: &recordHint),
            start + UInt64(offset + count) <= checkpoint.fileSize
        else {
            return try checkpoint.readRaw(storage, offset: offset, into: &buffer, at: index, count: count)
        }
        let first = start + UInt64(offset)
        let end = first + UInt64(count)
        if first < windowStart || end > windowStart + UInt64(window.count) {
            try fill(from: first, atLeast: count)
        }
        let from = Int(first - windowStart)
        buffer.replaceSubrange(index..<index + count, with: window[from..<from + count])
    }

    /// Reads the window from `start`: `windowSize` bytes, fewer at the end of the file, never fewer than `count`.
    private func fill(from start: UInt64, atLeast count: Int) throws {
        let size = checkpoint.fileSize
        let length = Int(min(UInt64(max(Self.windowSize, count)), size > start ? size - start : 0))
        if window.count != length { window = [UInt8](repeating: 0, count: length) }
        windowStart = start
        do {
            try checkpoint.bytes.readFile(at: start, into: &window, at: 0, count: length)
        } catch {
            window = []
            throw checkpoint.wrap(error)
        }
    }
}
