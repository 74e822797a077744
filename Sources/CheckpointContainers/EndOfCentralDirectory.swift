/// Where the central directory of an archive is, read from its end records
/// (end-of-central-directory record, and the zip64 locator and record when present).
struct CentralDirectoryLocation: Equatable {
    /// Number of central-directory entries.
    let entryCount: UInt64
    /// File offset of the first central-directory entry.
    let offset: UInt64
    /// Size of the central directory in bytes; it ends exactly where the end records start.
    let size: UInt64
    /// Whether the end of the file (as far as libzip looks for end records) holds an end-record signature
    /// besides the record used: libzip might pick another one.
    var hasOtherEndSignatures = false
}

/// Finds and checks the end records of a zip archive, applying `ZipLimits` before anything
/// sized by the archive is allocated (this runs before libzip sees the file).
enum EndOfCentralDirectory {
    static let recordLength = 22
    static let zip64LocatorLength = 20
    static let zip64RecordLength = 56
    private static let maxCommentLength = 0xFFFF
    /// How far from the end libzip looks for end records: a comment, the record and a zip64 locator.
    private static let libzipSearchLength = recordLength + maxCommentLength + zip64LocatorLength
    private static let signature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64RecordSignature: UInt32 = 0x0606_4B50
    private static let localHeaderMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    /// Locates the central directory of the archive in `file`.
    static func locate(in file: FileReader, limits: ZipLimits) throws -> CentralDirectoryLocation {
        guard file.size > 0 else { throw ContainerError.emptyFile(path: file.path) }
        let tailLength = Int(min(file.size, UInt64(libzipSearchLength)))
        let tailOffset = file.size - UInt64(tailLength)
        let tail = try file.read(offset: tailOffset, count: tailLength)
        guard let index = lastRecordIndex(in: tail) else {
            throw try missingEndRecord(file)
        }
        let recordOffset = tailOffset + UInt64(index)
        var cursor = ByteCursor(bytes: tail, fileOffset: tailOffset, position: index + 4) { offset in
            .malformedCentralDirectory(path: file.path, offset: offset, reason: "end record cut short")
        }
        let plain = try PlainEndRecord(&cursor)
        var location: CentralDirectoryLocation
        let directoryEnd: UInt64
        if let zip64Offset = try zip64RecordOffset(file, endRecordOffset: recordOffset) {
            location = try readZip64Record(file, at: zip64Offset, plain: plain)
            directoryEnd = zip64Offset
        } else {
            try plain.requireSingleDisk(file.path)
            location = CentralDirectoryLocation(entryCount: plain.entries, offset: plain.offset, size: plain.size)
            directoryEnd = recordOffset
        }
        try check(location, endsAt: directoryEnd, file: file, limits: limits)
        location.hasOtherEndSignatures = hasSignature(in: tail, besides: index)
        return location
    }

    /// Whether `tail` holds the end record signature anywhere but at `index`.
    private static func hasSignature(in tail: [UInt8], besides index: Int) -> Bool {
        guard tail.count >= 4 else { return false }
        for at in 0...(tail.count - 4) where at != index && tail[at] == 0x50 && tail[at + 1] == 0x4B {
            if tail[at + 2] == 0x05 && tail[at + 3] == 0x06 { return true }
        }
        return false
    }

    /// The index in `tail` of the end record nearest the end whose comment reaches exactly
    /// the end of the file (a signature inside a comment does not qualify).
    private static func lastRecordIndex(in tail: [UInt8]) -> Int? {
        guard tail.count >= recordLength else { return nil }
        for index in stride(from: tail.count - recordLength, through: 0, by: -1)
        where tail[index] == 0x50 && tail[index + 1] == 0x4B && tail[index + 2] == 0x05 && tail[index + 3] == 0x06 {
            let commentLength = Int(tail[index + 20]) | Int(tail[index + 21]) << 8
            if index + recordLength + commentLength == tail.count { return index }
        }
        return nil
    }

    /// The error for a file without an end record: truncated if it starts like a zip archive.
    private static func missingEndRecord(_ file: FileReader) throws -> ContainerError {
        if file.size >= 4, try file.read(offset: 0, count: 4) == localHeaderMagic {
            return .truncated(path: file.path, detail: "no end-of-central-directory record at the end of the file")
        }
        return .notAZipArchive(path: file.path)
    }

    /// The offset of the zip64 end record if a zip64 locator precedes the end record.
    private static func zip64RecordOffset(_ file: FileReader, endRecordOffset: UInt64) throws -> UInt64? {
        guard endRecordOffset >= UInt64(zip64LocatorLength) else { return nil }
        let locatorOffset = endRecordOffset - UInt64(zip64LocatorLength)
        let bytes = try file.read(offset: locatorOffset, count: zip64LocatorLength)
        var cursor = ByteCursor(bytes: bytes, fileOffset: locatorOffset) { offset in
            .malformedCentralDirectory(path: file.path, offset: offset, reason: "zip64 locator cut short")
        }
        guard try cursor.u32() == zip64LocatorSignature else { return nil }
        let disk = try cursor.u32()
        let recordOffset = try cursor.u64()
        let diskCount = try cursor.u32()
        guard disk == 0, diskCount <= 1 else {
            throw ContainerError.unsupportedArchive(path: file.path, reason: "zip64 locator names several disks")
        }
        let (recordEnd, overflow) = recordOffset.addingReportingOverflow(UInt64(zip64RecordLength))
        guard !overflow, recordEnd == locatorOffset else {
            throw ContainerError.malformedCentralDirectory(
                path: file.path, offset: locatorOffset,
                reason: "zip64 locator points to \(recordOffset), not to a record just before it")
        }
        return recordOffset
    }

    /// Reads the zip64 end record and checks it against the plain end record.
    private static func readZip64Record(
        _ file: FileReader, at offset: UInt64, plain: PlainEndRecord
    ) throws -> CentralDirectoryLocation {
        let bytes = try file.read(offset: offset, count: zip64RecordLength)
        var cursor = ByteCursor(bytes: bytes, fileOffset: offset) { at in
            .malformedCentralDirectory(path: file.path, offset: at, reason: "zip64 end record cut short")
        }
        let malformed = { (reason: String) in
            ContainerError.malformedCentralDirectory(path: file.path, offset: offset, reason: reason)
        }
        guard try cursor.u32() == zip64RecordSignature else { throw malformed("no zip64 end record signature") }
        guard try cursor.u64() == UInt64(zip64RecordLength - 12) else {
            throw malformed("zip64 end record has extensible data")
        }
        try cursor.skip(4)
        let disk = try cursor.u32()
        let directoryDisk = try cursor.u32()
        let diskEntries = try cursor.u64()
        let entries = try cursor.u64()
        let size = try cursor.u64()
        let directoryOffset = try cursor.u64()
        guard disk == 0, directoryDisk == 0, diskEntries == entries else {
            throw ContainerError.unsupportedArchive(path: file.path, reason: "archive spans several disks")
        }
        let zip64 = CentralDirectoryLocation(entryCount: entries, offset: directoryOffset, size: size)
        guard plain.agrees(with: zip64) else {
            throw malformed("end record and zip64 end record disagree")
        }
        return zip64
    }

    /// Applies the limits, then checks that the directory fits between its offset and `end`.
    private static func check(
        _ location: CentralDirectoryLocation, endsAt end: UInt64, file: FileReader, limits: ZipLimits
    ) throws {
        guard location.entryCount <= UInt64(limits.maxRecords) else {
            throw ContainerError.tooManyRecords(path: file.path, count: location.entryCount, limit: limits.maxRecords)
        }
        guard location.size <= UInt64(limits.maxCentralDirectoryBytes) else {
            throw ContainerError.centralDirectoryTooLarge(
                path: file.path, size: location.size, limit: limits.maxCentralDirectoryBytes)
        }
        let (directoryEnd, overflow) = location.offset.addingReportingOverflow(location.size)
        guard !overflow, directoryEnd == end else {
            throw ContainerError.malformedCentralDirectory(
                path: file.path, offset: location.offset,
                reason: "directory of \(location.size) bytes does not end where the end records start (\(end))")
        }
        guard location.entryCount <= location.size / UInt64(CentralDirectory.entryFixedLength) else {
            throw ContainerError.malformedCentralDirectory(
                path: file.path, offset: location.offset,
                reason: "\(location.entryCount) entries cannot fit in \(location.size) bytes")
        }
    }
}

/// The fields of the plain (non-zip64) end record after its signature.
private struct PlainEndRecord {
    let disk: UInt16, directoryDisk: UInt16, diskEntries: UInt16, entries16: UInt16
    let size32: UInt32, offset32: UInt32

    init(_ cursor: inout ByteCursor) throws {
        disk = try cursor.u16()
        directoryDisk = try cursor.u16()
        diskEntries = try cursor.u16()
        entries16 = try cursor.u16()
        size32 = try cursor.u32()
        offset32 = try cursor.u32()
    }

    var entries: UInt64 { UInt64(entries16) }
    var size: UInt64 { UInt64(size32) }
    var offset: UInt64 { UInt64(offset32) }

    /// Refuses multi-disk archives (libzip refuses them too).
    func requireSingleDisk(_ path: String) throws {
        guard disk == 0, directoryDisk == 0, diskEntries == entries16 else {
            throw ContainerError.unsupportedArchive(path: path, reason: "archive spans several disks")
        }
    }

    /// Whether every field that is not the zip64 placeholder equals the zip64 value.
    func agrees(with zip64: CentralDirectoryLocation) -> Bool {
        (entries16 == 0xFFFF || entries == zip64.entryCount)
            && (size32 == 0xFFFF_FFFF || size == zip64.size)
            && (offset32 == 0xFFFF_FFFF || offset == zip64.offset)
    }
}
