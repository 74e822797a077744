/// Reading compressed (deflated) records through libzip, bounded by their declared size:
/// a record that inflates beyond it is refused as soon as one byte too many appears, so a
/// "deflate bomb" costs at most its declared size (which the caller already bounded).
extension ZipArchiveReader {
    /// libzip's reader, which every archive with a compressed record has.
    private static func libzipArchive(_ archive: LibzipArchive?) -> LibzipArchive {
        guard let archive else { preconditionFailure("archives with compressed records are opened through libzip too") }
        return archive
    }

    /// Inflates the whole record into `bytes` (sized to the declared size) and checks that the
    /// stream ends exactly there.
    func inflate(_ record: ZipRecord, into bytes: inout [UInt8]) throws {
        try libzip.withLock { archive in
            let stream = try Self.libzipArchive(archive).openStream(index: record.index)
            var filled = 0
            while filled < bytes.count {
                let got: Int
                do {
                    got = try stream.read(into: &bytes, at: filled, count: bytes.count - filled)
                } catch let failure as LibzipStreamFailure {
                    throw streamError(
                        failure, record, reached: UInt64(filled), actualCRC: CRC32.checksum(bytes, range: 0..<filled))
                }
                guard got > 0 else {
                    throw ContainerError.recordSizeMismatch(
                        path: path, record: record.name, declared: record.size, actual: UInt64(filled))
                }
                filled += got
            }
            var probe: [UInt8] = [0]
            let extra: Int
            do {
                extra = try stream.read(into: &probe, at: 0, count: 1)
            } catch let failure as LibzipStreamFailure {
                throw streamError(failure, record, reached: record.size, actualCRC: CRC32.checksum(bytes))
            }
            guard extra == 0 else {
                throw ContainerError.inflatesBeyondDeclaredSize(path: path, record: record.name, declared: record.size)
            }
        }
    }

    /// Streams the whole record through a bounded buffer and returns the CRC of its bytes.
    func streamInflated(_ record: ZipRecord) throws -> CRC32Accumulator {
        try libzip.withLock { archive in
            let stream = try Self.libzipArchive(archive).openStream(index: record.index)
            var buffer = [UInt8](repeating: 0, count: Int(min(record.size, UInt64(Self.streamChunkSize - 1))) + 1)
            var crc = CRC32Accumulator()
            while true {
                let got: Int
                do {
                    got = try stream.read(into: &buffer, at: 0, count: buffer.count)
                } catch let failure as LibzipStreamFailure {
                    throw streamError(failure, record, reached: crc.count, actualCRC: crc.value)
                }
                if got == 0 { break }
                guard UInt64(got) <= record.size - crc.count else {
                    throw ContainerError.inflatesBeyondDeclaredSize(
                        path: path, record: record.name, declared: record.size)
                }
                crc.add(buffer, range: 0..<got)
            }
            guard crc.count == record.size else {
                throw ContainerError.recordSizeMismatch(
                    path: path, record: record.name, declared: record.size, actual: crc.count)
            }
            return crc
        }
    }

    /// Reads a slice of a compressed record by inflating and discarding the bytes before it.
    func readInflated(
        _ record: ZipRecord, offset: UInt64, into buffer: inout [UInt8], at index: Int, count: Int
    ) throws {
        try libzip.withLock { archive in
            let stream = try Self.libzipArchive(archive).openStream(index: record.index)
            var scratch = [UInt8](repeating: 0, count: Int(min(offset, UInt64(Self.streamChunkSize))))
            var skipped: UInt64 = 0
            while skipped < offset {
                let want = Int(min(offset - skipped, UInt64(scratch.count)))
                skipped += UInt64(try readSlice(stream, record, into: &scratch, at: 0, count: want, reached: skipped))
            }
            var filled = 0
            while filled < count {
                let reached = offset + UInt64(filled)
                filled += try readSlice(
                    stream, record, into: &buffer, at: index + filled, count: count - filled,
                    reached: reached)
            }
        }
    }

    /// One libzip read inside a slice; the end of the stream there means the record is short.
    private func readSlice(
        _ stream: LibzipEntryStream, _ record: ZipRecord, into buffer: inout [UInt8], at index: Int, count: Int,
        reached: UInt64
    ) throws -> Int {
        let got: Int
        do {
            got = try stream.read(into: &buffer, at: index, count: count)
        } catch let failure as LibzipStreamFailure {
            throw streamError(failure, record, reached: reached, actualCRC: 0)
        }
        guard got > 0 else {
            throw ContainerError.recordSizeMismatch(
                path: path, record: record.name, declared: record.size, actual: reached)
        }
        return got
    }

    /// A libzip stream failure as our error, given how many bytes were `reached`.
    ///
    /// libzip checks CRC and size only when the stream ends: before the declared size that means
    /// the record is short; at it, a CRC failure becomes `crcMismatch` with our own CRC.
    private func streamError(
        _ failure: LibzipStreamFailure, _ record: ZipRecord, reached: UInt64, actualCRC: @autoclosure () -> UInt32
    ) -> ContainerError {
        if failure.isEndOfStreamCheck && reached < record.size {
            return .recordSizeMismatch(path: path, record: record.name, declared: record.size, actual: reached)
        }
        if failure.isCRCError {
            return .crcMismatch(path: path, record: record.name, expected: record.crc32, actual: actualCRC())
        }
        return .decompressionFailed(path: path, record: record.name, detail: failure.message)
    }
}
