import Dispatch
import Synchronization

/// Where libzip writes a new archive: a file created exclusively at `finish()` time, written
/// through two large buffers by a background thread.
///
/// libzip's own file output is stdio with 8 KiB writes, one system call each; here they are
/// gathered into 8 MiB `pwrite`s, and the kernel's copy into the page cache (about as costly as
/// libzip's CRC-32) runs on another core while libzip fills the other buffer. libzip writes
/// sequentially except that it seeks back once per record to rewrite the local header, so a
/// buffer holds one contiguous run and is handed off whenever a write does not continue it.
final class ArchiveSink {
    let path: String
    /// Bytes gathered before one `pwrite`.
    static let bufferCapacity = 8 << 20
    private var file: PosixOutputFile?
    /// The buffer libzip's writes are copied into: `filling[0 ..< buffered]` belongs at `bufferOffset`.
    var filling: [UInt8] = []
    private(set) var buffered = 0
    private var bufferOffset: UInt64 = 0
    /// libzip's write position and the end of everything written.
    private(set) var position: UInt64 = 0
    private var end: UInt64 = 0
    private let writes = BackgroundWrites()
    private var firstFailure: ContainerError?

    init(path: String) {
        self.path = path
    }

    /// The first error met, here or in a background write; reported instead of libzip's summary.
    var failure: ContainerError? {
        firstFailure ?? writes.failure
    }

    /// Creates the file (exclusively) and prepares the buffers.
    func begin() throws {
        file = try noting { try PosixOutputFile(creating: path) }
        filling = [UInt8](repeating: 0, count: Self.bufferCapacity)
        buffered = 0
        position = 0
        end = 0
    }

    /// Makes room for a write of `count` bytes at `position` and returns where in `filling` it
    /// goes; the caller copies the bytes there and calls `didWrite(count)`.
    func prepareWrite(count: Int) throws -> Int {
        if buffered > 0 && (bufferOffset + UInt64(buffered) != position || buffered + count > filling.count) {
            try handOff()
        }
        if buffered == 0 {
            bufferOffset = position
            if count > filling.count { filling = [UInt8](repeating: 0, count: count) }
        }
        return buffered
    }

    /// Records that `count` bytes were copied into `filling` at the index `prepareWrite` gave.
    func didWrite(_ count: Int) {
        buffered += count
        position += UInt64(count)
        end = max(end, position)
    }

    /// Moves libzip's write position (`whence` as in `lseek`: 0 start, 1 current, 2 end).
    func seek(offset: Int64, whence: Int32) throws {
        let bases: [Int32: Int64] = [0: 0, 1: Int64(position), 2: Int64(end)]
        guard let base = bases[whence] else {
            throw note(.libzipFailed(path: path, operation: "seek", message: "unknown whence \(whence)"))
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0 else {
            throw note(.libzipFailed(path: path, operation: "seek", message: "position \(base) + \(offset)"))
        }
        position = UInt64(target)
    }

    /// Writes out what is buffered, waits for it, closes the file.
    func commit() throws {
        try handOff()
        try noting {
            try writes.finish()
            try file?.close()
        }
        file = nil
        filling = []
    }

    /// Waits for background writes, then removes the partly written file.
    func rollback() {
        _ = try? writes.finish()
        try? file?.close()
        if file != nil { removeFileIfPresent(path) }
        file = nil
        filling = []
        buffered = 0
    }

    /// Queues the filled buffer for writing and continues in the other one.
    private func handOff() throws {
        guard buffered > 0 else { return }
        guard let file else { throw note(.libzipFailed(path: path, operation: "write", message: "file not open")) }
        let next = try noting { try writes.reclaimBuffer() } ?? [UInt8](repeating: 0, count: Self.bufferCapacity)
        writes.start(filling, count: buffered, at: bufferOffset, to: file)
        filling = next
        buffered = 0
    }

    /// Runs `body`, keeping its error as the first failure if none came before.
    private func noting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ContainerError {
            throw note(error)
        }
    }

    private func note(_ error: ContainerError) -> ContainerError {
        if firstFailure == nil { firstFailure = error }
        return error
    }
}

/// At most one `pwrite` in flight on a background queue, and the buffer it gives back.
private final class BackgroundWrites: @unchecked Sendable {
    // Sendable: `state` is behind a mutex; the queue and group are thread-safe.
    private let queue = DispatchQueue(label: "CheckpointContainers.ArchiveSink")
    private let group = DispatchGroup()
    private let state = Mutex<(buffer: [UInt8]?, failure: ContainerError?)>((nil, nil))

    /// The first error of a background write.
    var failure: ContainerError? {
        state.withLock { $0.failure }
    }

    /// Writes `buffer[0 ..< count]` at `offset` in the background, keeping the buffer for reuse.
    func start(_ buffer: [UInt8], count: Int, at offset: UInt64, to file: PosixOutputFile) {
        nonisolated(unsafe) let output = file  // only this queue writes while the write is in flight
        queue.async(group: group) { [self] in
            var error: ContainerError?
            do {
                try output.write(buffer, range: 0 ..< count, at: offset)
            } catch let failure as ContainerError {
                error = failure
            } catch {
                preconditionFailure("PosixOutputFile throws ContainerError only")
            }
            state.withLock { slot in
                slot.buffer = buffer
                if slot.failure == nil { slot.failure = error }
            }
        }
    }

    /// Waits for the write in flight; returns its buffer (now unshared), or nil if there was none.
    func reclaimBuffer() throws -> [UInt8]? {
        group.wait()
        let (buffer, failure) = state.withLock { slot in
            defer { slot.buffer = nil }
            return (slot.buffer, slot.failure)
        }
        if let failure { throw failure }
        return buffer
    }

    /// Waits for every write; throws the first error.
    func finish() throws {
        _ = try reclaimBuffer()
    }
}
