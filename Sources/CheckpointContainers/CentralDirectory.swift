/// The central directory parsed straight into the record table: one pass, no intermediate entry list.
///
/// Each entry's fields land in its ``ZipRecord`` (the data offset follows from its local header, see
/// ``LocalHeaders``), its name in the name index, which also finds duplicates. The directory's bytes are kept
/// for the local-header pass, which compares each local header with the entry at ``entryStarts``.
struct CentralDirectory {
    /// Bytes of an entry before its name.
    static let entryFixedLength = 46
    private static let signature: UInt32 = 0x0201_4B50
    /// General-purpose flag bits for traditional (bit 0) and strong (bit 6) encryption.
    private static let encryptionFlags: UInt16 = 0x0041

    /// The directory as read from the file.
    let bytes: [UInt8]
    /// Where it starts in the file.
    let fileOffset: UInt64
    /// Every record, in directory order; ``ZipRecord/dataOffset`` is nil until the local headers are read.
    var records: [ZipRecord] = []
    /// Where each entry starts in ``bytes``.
    var entryStarts: [Int] = []
    /// Record index by name; names that only differ in Unicode normalisation are duplicates (see the index).
    var indexByName = RecordNameIndex(expectedCount: 0)
    /// Whether an entry has extra fields libzip reads differently from us (see ``ExtraFields``).
    var hasFieldsLibzipReads = false

    /// Reads and parses every entry. The size was bounded by `ZipLimits` already.
    init(from file: FileReader, at location: CentralDirectoryLocation) throws {
        bytes = try file.read(offset: location.offset, count: Int(location.size))
        fileOffset = location.offset
        let count = Int(location.entryCount)
        records.reserveCapacity(count)
        entryStarts.reserveCapacity(count)
        indexByName = RecordNameIndex(expectedCount: count)
        var cursor = ByteCursor(bytes: bytes, fileOffset: location.offset) { offset in
            .malformedCentralDirectory(path: file.path, offset: offset, reason: "entry runs past the directory end")
        }
        // A name problem is reported once every entry has parsed: structural faults come first, as they would
        // if names were checked after the whole directory.
        var firstNameProblem: ContainerError?
        for index in 0..<count {
            entryStarts.append(cursor.position)
            let (record, nameRange) = try parseEntry(&cursor, index: index, path: file.path)
            // Assigned only when there is one: storing each entry's nil copied and destroyed an optional error.
            if case .none = firstNameProblem, let problem = nameProblem(record, nameRange, path: file.path) {
                firstNameProblem = problem
            }
            records.append(record)
        }
        guard cursor.remaining == 0 else {
            throw ContainerError.malformedCentralDirectory(
                path: file.path, offset: cursor.currentFileOffset,
                reason: "\(cursor.remaining) bytes follow the \(location.entryCount) declared entries")
        }
        if let firstNameProblem { throw firstNameProblem }
    }

    /// The name rules, then uniqueness; the name enters the index when it is new.
    private mutating func nameProblem(_ record: ZipRecord, _ nameRange: Range<Int>, path: String) -> ContainerError? {
        let scan = NameBytes.scan(bytes, nameRange)
        if let reason = RecordNameRules.problem(in: bytes, nameRange, scan: scan) {
            return .unsafeRecordName(path: path, name: record.name, reason: reason)
        }
        let earlier = records  // the records before this one
        let duplicate = indexByName.insert(
            record.name, index: record.index, key: scan.key,
            isNamed: { earlier[$0].name == record.name }, nameOf: { earlier[$0].name })
        return duplicate == nil ? nil : .duplicateRecordName(path: path, name: record.name)
    }

    /// Parses one entry at the cursor into its record (no data offset yet) and the range of its name.
    private mutating func parseEntry(_ cursor: inout ByteCursor, index: Int, path: String) throws -> (ZipRecord, Range<Int>) {
        let entryOffset = cursor.currentFileOffset
        let start = try takeFixedPart(&cursor, index: index, path: path)
        @inline(__always) func u16(_ at: Int) -> UInt16 { UInt16(bytes[start + at]) | UInt16(bytes[start + at + 1]) << 8 }
        @inline(__always) func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        let flags = u16(8)
        let method = u16(10)
        let crc = u32(16)
        var fields = Zip64Fields(
            compressedSize: UInt64(u32(20)), size: UInt64(u32(24)), headerOffset: UInt64(u32(42)), disk: UInt64(u16(34)))
        let nameLength = Int(u16(28))
        let extraLength = Int(u16(30))
        let commentLength = Int(u16(32))
        let nameStart = try cursor.take(nameLength)
        let nameRange = nameStart..<nameStart + nameLength
        let name = String(decoding: bytes[nameRange], as: UTF8.self)
        let extraStart = try cursor.take(extraLength)
        let extra = bytes[extraStart..<extraStart + extraLength]
        try cursor.skip(commentLength)
        let context = EntryContext(path: path, name: name, offset: entryOffset)
        try fields.applyZip64(extra: extra, extraOffset: fileOffset + UInt64(extraStart), context: context)
        if ExtraFields.libzipReadsDifferently(extra) { hasFieldsLibzipReads = true }
        guard flags & Self.encryptionFlags == 0 else {
            throw ContainerError.unsupportedArchive(path: path, reason: "record '\(name)' is encrypted")
        }
        guard method != 0 || fields.compressedSize == fields.size else {
            throw ContainerError.malformedCentralDirectory(
                path: path, offset: entryOffset,
                reason: "stored record '\(name)' has size \(fields.size) but \(fields.compressedSize) bytes in the file")
        }
        guard fields.disk == 0 else {
            throw ContainerError.unsupportedArchive(path: path, reason: "record '\(name)' is on another disk")
        }
        let record = ZipRecord(
            index: index, name: name, size: fields.size, compressedSize: fields.compressedSize,
            compression: ZipCompression(method: method), crc32: crc, headerOffset: fields.headerOffset, dataOffset: nil)
        return (record, nameRange)
    }

    /// Takes an entry's fixed part and returns where it starts. One that is cut short or unsigned fails as reading
    /// its fields one by one would: on the signature if that fits, else at the first field that does not fit.
    private func takeFixedPart(_ cursor: inout ByteCursor, index: Int, path: String) throws -> Int {
        let remaining = cursor.remaining
        if remaining >= 4 {
            let at = cursor.position
            let signature =
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
            guard signature == Self.signature else {
                throw ContainerError.malformedCentralDirectory(
                    path: path, offset: cursor.currentFileOffset,
                    reason: "entry \(index) has no central-directory signature")
            }
        }
        guard remaining >= Self.entryFixedLength else {
            throw cursor.overrun(after: Self.fieldStarts.last { $0 <= remaining } ?? 0)
        }
        return try cursor.take(Self.entryFixedLength)
    }

    /// Where the fixed part's fields start: signature, versions, flags, method, time and date, CRC, sizes, name,
    /// extra and comment lengths, disk, attributes, header offset.
    private static let fieldStarts = [0, 4, 8, 10, 12, 16, 20, 24, 28, 30, 32, 34, 36, 42]

    /// The fields of entry `index` the local header must repeat.
    func entry(_ index: Int) -> CentralEntryFields {
        let start = entryStarts[index]
        @inline(__always) func u16(_ at: Int) -> UInt16 { UInt16(bytes[start + at]) | UInt16(bytes[start + at + 1]) << 8 }
        let nameLength = Int(u16(28))
        let nameStart = start + Self.entryFixedLength
        return CentralEntryFields(
            versionNeeded: u16(6), method: u16(10), time: u16(12), date: u16(14), nameStart: nameStart,
            nameLength: nameLength)
    }
}

/// What a local header is compared with.
struct CentralEntryFields {
    let versionNeeded: UInt16
    let method: UInt16
    let time: UInt16
    let date: UInt16
    /// Where the name is in the directory's bytes.
    let nameStart: Int
    let nameLength: Int
}

/// The entry being parsed, for error messages.
private struct EntryContext {
    let path: String
    let name: String
    let offset: UInt64
}

/// The four fields a zip64 extra field may widen, in the order it stores them.
private struct Zip64Fields {
    var compressedSize: UInt64
    var size: UInt64
    var headerOffset: UInt64
    var disk: UInt64

    /// Replaces each field holding its placeholder (all ones) by the value in the zip64 extra field.
    mutating func applyZip64(extra: ArraySlice<UInt8>, extraOffset: UInt64, context: EntryContext) throws {
        let wantsSize = size == 0xFFFF_FFFF
        let wantsCompressed = compressedSize == 0xFFFF_FFFF
        let wantsOffset = headerOffset == 0xFFFF_FFFF
        let wantsDisk = disk == 0xFFFF
        guard wantsSize || wantsCompressed || wantsOffset || wantsDisk else { return }
        let malformed = { (reason: String) in
            ContainerError.malformedCentralDirectory(
                path: context.path, offset: context.offset, reason: "record '\(context.name)': \(reason)")
        }
        guard var field = try zip64Payload(Array(extra), extraOffset: extraOffset, malformed: malformed) else {
            throw malformed("placeholder sizes without a zip64 extra field")
        }
        if wantsSize { size = try field.u64() }
        if wantsCompressed { compressedSize = try field.u64() }
        if wantsOffset { headerOffset = try field.u64() }
        if wantsDisk { disk = UInt64(try field.u32()) }
    }

    /// A cursor over the payload of the zip64 extra field (id 1), or nil if there is none.
    private func zip64Payload(
        _ extra: [UInt8], extraOffset: UInt64, malformed: @escaping (String) -> ContainerError
    ) throws -> ByteCursor? {
        var walker = ByteCursor(bytes: extra, fileOffset: extraOffset) { _ in malformed("extra field runs past its end") }
        while walker.remaining >= 4 {
            let id = try walker.u16()
            let length = Int(try walker.u16())
            let start = try walker.take(length)
            if id == 0x0001 {
                let payload = Array(extra[start..<start + length])
                return ByteCursor(bytes: payload, fileOffset: extraOffset + UInt64(start)) { _ in
                    malformed("zip64 extra field too short")
                }
            }
        }
        return nil
    }
}
