/// Reading records' bytes: stored records with positioned reads of the file (no libzip, no
/// copy through zlib), compressed ones through libzip, never allocating more than the record's
/// declared size or the caller's limit.
extension ZipArchiveReader {
    /// Bytes per read when streaming a record (`verifyCRC`, skipping in compressed records).
    static let streamChunkSize = 8 << 20

    /// The whole record, its CRC-32 verified.
    ///
    /// - Parameter maxSize: records declaring more bytes are refused before anything is allocated.
    public func readAll(_ record: ZipRecord, maxSize: UInt64) throws -> [UInt8] {
        checkOwnership(record)
        guard record.size <= maxSize, record.size <= UInt64(Int.max) else {
            throw ContainerError.recordTooLarge(
                path: path, record: record.name, size: record.size, limit: min(maxSize, UInt64(Int.max)))
        }
        var bytes = [UInt8](repeating: 0, count: Int(record.size))
        switch record.compression {
        case .stored:
            try file.read(offset: record.dataOffset!, into: &bytes, at: 0, count: bytes.count)
        case .deflated:
            try inflate(record, into: &bytes)
        case .other(let method):
            throw ContainerError.unsupportedCompression(path: path, record: record.name, method: method)
        }
        let actual = CRC32.checksum(bytes)
        guard actual == record.crc32 else {
            throw ContainerError.crcMismatch(path: path, record: record.name, expected: record.crc32, actual: actual)
        }
        return bytes
    }

    /// `count` bytes of the record starting at `offset` (no CRC check: a slice cannot be checked).
    public func read(_ record: ZipRecord, offset: UInt64, count: Int) throws -> [UInt8] {
        try checkSlice(record, offset: offset, count: count)
        var bytes = [UInt8](repeating: 0, count: count)
        try read(record, offset: offset, into: &bytes, at: 0, count: count)
        return bytes
    }

    /// Reads `count` bytes of the record at `offset` into `buffer[index..<index+count]`.
    public func read(_ record: ZipRecord, offset: UInt64, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        precondition(index >= 0 && count >= 0 && index <= buffer.count - count, "buffer range out of bounds")
        try checkSlice(record, offset: offset, count: count)
        switch record.compression {
        case .stored:
            try file.read(offset: record.dataOffset! + offset, into: &buffer, at: index, count: count)
        case .deflated:
            try readInflated(record, offset: offset, into: &buffer, at: index, count: count)
        case .other(let method):
            throw ContainerError.unsupportedCompression(path: path, record: record.name, method: method)
        }
    }

    /// Checks the record's CRC-32 by streaming it through a fixed-size buffer.
    public func verifyCRC(_ record: ZipRecord) throws {
        checkOwnership(record)
        var crc = CRC32Accumulator()
        switch record.compression {
        case .stored:
            var buffer = [UInt8](repeating: 0, count: Int(min(record.size, UInt64(Self.streamChunkSize))))
            while crc.count < record.size {
                let count = Int(min(record.size - crc.count, UInt64(buffer.count)))
                try file.read(offset: record.dataOffset! + crc.count, into: &buffer, at: 0, count: count)
                crc.add(buffer, range: 0..<count)
            }
        case .deflated:
            crc = try streamInflated(record)
        case .other(let method):
            throw ContainerError.unsupportedCompression(path: path, record: record.name, method: method)
        }
        guard crc.value == record.crc32 else {
            throw ContainerError.crcMismatch(path: path, record: record.name, expected: record.crc32, actual: crc.value)
        }
    }

    /// Traps unless `record` is one of this archive's records (a caller mixing up archives).
    func checkOwnership(_ record: ZipRecord) {
        precondition(
            record.index >= 0 && record.index < records.count && records[record.index] == record,
            "record '\(record.name)' does not belong to \(path)")
    }

    /// Throws unless `offset ..< offset + count` lies inside the record.
    private func checkSlice(_ record: ZipRecord, offset: UInt64, count: Int) throws {
        checkOwnership(record)
        precondition(count >= 0, "negative read count")
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= record.size else {
            throw ContainerError.readBeyondRecord(
                path: path, record: record.name, offset: offset, count: count, size: record.size)
        }
    }
}

/// Checking many records' CRC-32 at once: a state dict of tens of thousands of small tensors would otherwise
/// cost a read per record.
extension ZipArchiveReader {
    /// The most bytes of small stored records read at once.
    static let crcWindowLength = 1 << 20

    /// Checks each record's CRC-32, in order, and throws for the first that fails. Stored records that follow
    /// each other in the file are read together while they fit in ``crcWindowLength``; others are streamed.
    public func verifyCRCs(_ records: [ZipRecord]) throws {
        var window: [UInt8] = []
        var windowStart: UInt64 = 0
        for (position, record) in records.enumerated() {
            guard let offset = record.dataOffset, record.compression == .stored, record.size <= UInt64(Self.crcWindowLength)
            else {
                try verifyCRC(record)
                continue
            }
            checkOwnership(record)
            let inWindow = offset >= windowStart && offset - windowStart + record.size <= UInt64(window.count)
            if !inWindow {
                windowStart = offset
                window = try file.read(offset: offset, count: Int(windowEnd(from: position, in: records) - offset))
            }
            let start = Int(offset - windowStart)
            let actual = CRC32.checksum(window, range: start..<start + Int(record.size))
            guard actual == record.crc32 else {
                throw ContainerError.crcMismatch(path: path, record: record.name, expected: record.crc32, actual: actual)
            }
        }
    }

    /// Where a window starting at `records[position]` ends: past that record and the stored records after it
    /// that lie beyond it in the file, as long as the window stays within ``crcWindowLength``.
    private func windowEnd(from position: Int, in records: [ZipRecord]) -> UInt64 {
        let start = records[position].dataOffset!
        var end = start + records[position].size
        for next in records[(position + 1)...] {
            guard let offset = next.dataOffset, next.compression == .stored, offset >= end,
                offset + next.size - start <= UInt64(Self.crcWindowLength)
            else { break }
            end = offset + next.size
        }
        return end
    }
}
