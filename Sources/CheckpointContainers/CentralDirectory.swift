/// One central-directory entry, as we parse it ourselves (libzip does not expose the
/// local header offset, which `ZipRecord.dataOffset` needs).
struct CentralEntry: Equatable {
    let index: Int
    /// The name bytes exactly as stored.
    let nameBytes: [UInt8]
    /// The name decoded as UTF-8 (replacement characters if it is not valid UTF-8).
    let name: String
    let flags: UInt16
    let method: UInt16
    let crc32: UInt32
    let compressedSize: UInt64
    let size: UInt64
    let headerOffset: UInt64
}

/// Parses the central directory that `EndOfCentralDirectory` located.
enum CentralDirectory {
    /// Bytes of an entry before its name.
    static let entryFixedLength = 46
    private static let signature: UInt32 = 0x0201_4B50
    private static let zip64ExtraID: UInt16 = 0x0001
    /// General-purpose flag bits for traditional (bit 0) and strong (bit 6) encryption.
    private static let encryptionFlags: UInt16 = 0x0041

    /// Reads and parses every entry. The size was bounded by `ZipLimits` already.
    static func read(from file: FileReader, at location: CentralDirectoryLocation) throws -> [CentralEntry] {
        let bytes = try file.read(offset: location.offset, count: Int(location.size))
        var cursor = ByteCursor(bytes: bytes, fileOffset: location.offset) { offset in
            .malformedCentralDirectory(path: file.path, offset: offset, reason: "entry runs past the directory end")
        }
        var entries: [CentralEntry] = []
        entries.reserveCapacity(Int(location.entryCount))
        for index in 0..<Int(location.entryCount) {
            entries.append(try parseEntry(&cursor, index: index, path: file.path))
        }
        guard cursor.remaining == 0 else {
            throw ContainerError.malformedCentralDirectory(
                path: file.path, offset: cursor.currentFileOffset,
                reason: "\(cursor.remaining) bytes follow the \(location.entryCount) declared entries")
        }
        return entries
    }

    /// Parses one entry at the cursor.
    private static func parseEntry(_ cursor: inout ByteCursor, index: Int, path: String) throws -> CentralEntry {
        let entryOffset = cursor.currentFileOffset
        guard try cursor.u32() == signature else {
            throw ContainerError.malformedCentralDirectory(
                path: path, offset: entryOffset, reason: "entry \(index) has no central-directory signature")
        }
        try cursor.skip(4)  // version made by, version needed
        let flags = try cursor.u16()
        let method = try cursor.u16()
        try cursor.skip(4)  // DOS time and date
        let crc = try cursor.u32()
        var fields = Zip64Fields(
            compressedSize: UInt64(try cursor.u32()), size: UInt64(try cursor.u32()), headerOffset: 0, disk: 0)
        let nameLength = Int(try cursor.u16())
        let extraLength = Int(try cursor.u16())
        let commentLength = Int(try cursor.u16())
        fields.disk = UInt64(try cursor.u16())
        try cursor.skip(6)  // internal and external attributes
        fields.headerOffset = UInt64(try cursor.u32())
        let nameBytes = Array(try cursor.bytes(nameLength))
        let name = String(decoding: nameBytes, as: UTF8.self)
        let extraStart = cursor.currentFileOffset
        let extra = try cursor.bytes(extraLength)
        try cursor.skip(commentLength)
        let context = EntryContext(path: path, name: name, offset: entryOffset)
        try fields.applyZip64(extra: Array(extra), extraOffset: extraStart, context: context)
        guard flags & encryptionFlags == 0 else {
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
        return CentralEntry(
            index: index, nameBytes: nameBytes, name: name, flags: flags, method: method, crc32: crc,
            compressedSize: fields.compressedSize, size: fields.size, headerOffset: fields.headerOffset)
    }
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
    mutating func applyZip64(extra: [UInt8], extraOffset: UInt64, context: EntryContext) throws {
        let wantsSize = size == 0xFFFF_FFFF
        let wantsCompressed = compressedSize == 0xFFFF_FFFF
        let wantsOffset = headerOffset == 0xFFFF_FFFF
        let wantsDisk = disk == 0xFFFF
        guard wantsSize || wantsCompressed || wantsOffset || wantsDisk else { return }
        let malformed = { (reason: String) in
            ContainerError.malformedCentralDirectory(
                path: context.path, offset: context.offset, reason: "record '\(context.name)': \(reason)")
        }
        guard var field = try zip64Payload(extra, extraOffset: extraOffset, malformed: malformed) else {
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
