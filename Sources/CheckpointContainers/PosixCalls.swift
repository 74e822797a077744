#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The only file of this module that calls POSIX file functions or touches raw memory for them.

/// The system's text for a C error number ("No space left on device"), so a failed call reads as
/// what happened rather than as a number.
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// An open, read-only file descriptor, closed when released.
final class PosixFile: @unchecked Sendable {
    // Sendable: the descriptor never changes after init and pread does not move a shared cursor.
    let path: String
    let size: UInt64
    private let descriptor: Int32

    /// Opens `path` read-only; refuses anything but a regular file.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ContainerError.systemCallFailed(path: path, call: "open", errno: errno)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw ContainerError.systemCallFailed(path: path, call: "fstat", errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ContainerError.notARegularFile(path: path)
        }
        self.path = path
        self.size = UInt64(info.st_size)
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Reads exactly `count` bytes at `offset` into `buffer[index..<index+count]`.
    ///
    /// The caller has checked the range against `size` and the buffer; this loops over short
    /// reads and EINTR, and reports a file that shrank since it was opened.
    func read(offset: UInt64, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        precondition(index >= 0 && count >= 0 && index <= buffer.count - count, "buffer range out of bounds")
        try buffer.withUnsafeMutableBytes { raw in try read(offset: offset, into: raw, at: index, count: count) }
    }

    /// `count` floats holding the file's bytes at `offset`, read into uninitialised memory: zero-filling a
    /// buffer that the read overwrites at once cost as much as the read on large tensors.
    func readFloats(offset: UInt64, count: Int) throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(offset: offset, into: UnsafeMutableRawBufferPointer(buffer), at: 0, count: count * 4)
            initialized = count
        }
    }

    /// Reads `count` floats' worth of the file's bytes at `offset` into `values[0..<count]`.
    func readFloats(offset: UInt64, into values: inout [Float], count: Int) throws {
        precondition(count >= 0 && count <= values.count, "buffer range out of bounds")
        try values.withUnsafeMutableBytes { raw in try read(offset: offset, into: raw, at: 0, count: count * 4) }
    }

    private func read(offset: UInt64, into raw: UnsafeMutableRawBufferPointer, at index: Int, count: Int) throws {
        guard count > 0, let base = raw.baseAddress else { return }
        var done = 0
        while done < count {
            let position = off_t(offset + UInt64(done))
            let got = pread(descriptor, base + index + done, count - done, position)
            if got > 0 {
                done += got
            } else if got == 0 {
                throw ContainerError.unexpectedEndOfFile(path: path, offset: UInt64(position))
            } else if errno != EINTR {
                throw ContainerError.systemCallFailed(path: path, call: "pread", errno: errno)
            }
        }
    }
}

/// A new file opened for writing, created exclusively (never replacing anything).
final class PosixOutputFile {
    let path: String
    private var descriptor: Int32

    /// Creates `path`; throws `fileExists` if anything is there already.
    init(creating path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            if errno == EEXIST { throw ContainerError.fileExists(path: path) }
            throw ContainerError.systemCallFailed(path: path, call: "open", errno: errno)
        }
        self.path = path
        self.descriptor = fd
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// Writes all of `bytes[range]` at `offset`, looping over short writes and EINTR.
    func write(_ bytes: [UInt8], range: Range<Int>, at offset: UInt64) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "write range out of bounds")
        try bytes.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[range]), at: offset) }
    }

    /// Writes all of `held[range]` at `offset`, as `write(_:range:at:)`.
    func write(_ held: RecordBytes, range: Range<Int>, at offset: UInt64) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= held.count, "write range out of bounds")
        try held.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[range]), at: offset) }
    }

    private func write(_ raw: UnsafeRawBufferPointer, at offset: UInt64) throws {
        precondition(descriptor >= 0, "write after close")
        var done = 0
        while done < raw.count {
            let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + UInt64(done)))
            if written >= 0 {
                done += written
            } else if errno != EINTR {
                throw ContainerError.systemCallFailed(path: path, call: "pwrite", errno: errno)
            }
        }
    }

    /// Closes the file, reporting a failed close (which can carry a deferred write error).
    func close() throws {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        guard systemClose(fd) == 0 else {
            throw ContainerError.systemCallFailed(path: path, call: "close", errno: errno)
        }
    }
}

/// `close(2)`, reachable from types that have a `close` method of their own.
private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}

/// Removes a file, ignoring a file that is already gone.
func removeFileIfPresent(_ path: String) {
    _ = unlink(path)
}

/// Whether anything (file, directory, link) exists at `path`.
func pathExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}
