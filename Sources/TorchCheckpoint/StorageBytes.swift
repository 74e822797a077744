import CheckpointContainers

/// Reads raw storage bytes from wherever the container keeps them.
///
/// Stored zip records and legacy storages are read with positioned reads straight from the file (fast, and
/// nothing is cached); deflated zip records go through libzip.
final class StorageBytes: @unchecked Sendable {
    private let file: FileReader
    private let archive: ZipArchiveReader?

    init(file: FileReader, archive: ZipArchiveReader?) {
        self.file = file
        self.archive = archive
    }

    /// The archive's record of that name (the archive indexes its records by name).
    private func record(_ name: String) -> ZipRecord? {
        archive?.record(named: name)
    }

    var fileSize: UInt64 { file.size }

    /// Where `source`'s bytes start in the file when they are stored there as they are; nil for deflated records.
    func storedFileOffset(_ source: StorageSource) -> UInt64? {
        var hint = -1
        return storedFileOffset(source, hint: &hint)
    }

    /// The same for a caller going through storages in file order (start `hint` at 0; see
    /// ``ZipArchiveReader/record(named:hint:)``): a storage's source is its record's own name, so the names at
    /// the hint compare as one pointer.
    func storedFileOffset(_ source: StorageSource, hint: inout Int) -> UInt64? {
        switch source {
        case .fileRange(let start): return start
        case .zipRecord(let name):
            guard let record = archive?.record(named: name, hint: &hint), record.compression == .stored else { return nil }
            return record.dataOffset
        }
    }

    /// Copies `count` bytes starting `offset` bytes into the storage into `buffer[index...]`.
    func read(_ source: StorageSource, offset: Int, count: Int, into buffer: inout [UInt8], at index: Int) throws {
        if let start = storedFileOffset(source) {
            try file.read(offset: start + UInt64(offset), into: &buffer, at: index, count: count)
            return
        }
        guard case .zipRecord(let name) = source, let record = record(name), let archive else {
            preconditionFailure("storage \(source) was validated when the checkpoint was opened")
        }
        try archive.read(record, offset: UInt64(offset), into: &buffer, at: index, count: count)
    }

    /// Copies `count` bytes at `fileOffset` of the file itself into `buffer[index...]` (for readers that keep a
    /// window of the file, which ``storedFileOffset(_:)`` places storages in).
    func readFile(at fileOffset: UInt64, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        try file.read(offset: fileOffset, into: &buffer, at: index, count: count)
    }

    /// Little-endian float32 values at `offset` bytes into the storage, read straight from the file when
    /// its bytes are stored there; nil when they are not (deflated records), for the caller's slower path.
    func readFloat32(_ source: StorageSource, offset: Int, count: Int) throws -> [Float]? {
        guard let start = storedFileOffset(source) else { return nil }
        return try file.readFloat32(offset: start + UInt64(offset), count: count)
    }

    /// The same into `values[0..<count]`; false (nothing read) when the bytes are not stored in the file as they are.
    func readFloat32(_ source: StorageSource, offset: Int, into values: inout [Float], count: Int) throws -> Bool {
        guard let start = storedFileOffset(source) else { return false }
        try file.readFloat32(offset: start + UInt64(offset), into: &values, count: count)
        return true
    }

    /// The CRC-32 the central directory records for `source` when it is a stored zip record of exactly
    /// `byteCount` bytes, so that a reader of all its bytes can check them as it goes; nil otherwise.
    func recordedCRC(_ source: StorageSource, wholeRecordOf byteCount: Int) -> (crc: UInt32, record: String)? {
        guard case .zipRecord(let name) = source, let record = record(name), record.compression == .stored,
            record.dataOffset != nil, record.size == UInt64(byteCount)
        else { return nil }
        return (record.crc32, name)
    }

    /// The path of the file the bytes come from, for errors.
    var path: String { file.path }

    /// Checks a whole zip record's CRC-32 against the central directory (torch never does).
    func verifyCRC(_ source: StorageSource) throws {
        guard case .zipRecord(let name) = source, let record = record(name), let archive else { return }
        try archive.verifyCRC(record)
    }

    /// Checks the CRC-32 of every zip record among `sources`, in order; small records that lie together are
    /// read together (see ``ZipArchiveReader/verifyCRCs(_:)``).
    func verifyCRCs(_ sources: [StorageSource]) throws {
        guard let archive else { return }
        var hint = 0
        try archive.verifyCRCs(
            sources.compactMap { source in
                guard case .zipRecord(let name) = source else { return nil }
                return archive.record(named: name, hint: &hint)
            })
    }
}
