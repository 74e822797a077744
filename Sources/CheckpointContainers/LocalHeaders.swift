/// Reads each record's local header to find where its bytes start, and checks that the
/// local headers agree with the central directory and that no two records share bytes.
///
/// Torch's local headers carry CRC 0 and sizes 0 (flag bit 3, data descriptor), so sizes and
/// CRCs come from the central directory; only the name, the method and the lengths of the
/// name and extra field are taken from the local header. Headers that lie close together (a
/// checkpoint of many small tensors) are read a window at a time, not one read each.
enum LocalHeaders {
    static let fixedLength = 30
    private static let signature: UInt32 = 0x0403_4B50
    /// The most bytes read at once to cover several headers.
    static let windowLength = 64 << 10

    /// Sets every record's data offset; returns whether some local header differs from its central entry in a
    /// field libzip compares and we do not (version needed, time, CRC and sizes), so libzip must judge it.
    ///
    /// `directoryOffset` bounds every record: local headers and data lie before the directory.
    static func read(into directory: inout CentralDirectory, file: FileReader, directoryOffset: UInt64) throws -> Bool {
        var window = HeaderWindow(file: file, end: directoryOffset)
        var dataOffsets: [UInt64] = []
        dataOffsets.reserveCapacity(directory.records.count)
        var libzipMustJudge = false
        for index in directory.records.indices {
            try window.cover(index, of: directory)
            let (dataOffset, differs) = try dataOffset(of: index, in: directory, window: window, path: file.path)
            if directory.records[index].compression == .stored { directory.records[index].dataOffset = dataOffset }
            dataOffsets.append(dataOffset)
            libzipMustJudge = libzipMustJudge || differs
        }
        try checkNoOverlap(directory.records, dataOffsets: dataOffsets, path: file.path)
        return libzipMustJudge
    }

    /// Checks record `index`'s local header and returns where its bytes start, and whether libzip would compare
    /// the header differently.
    private static func dataOffset(
        of index: Int, in directory: CentralDirectory, window: HeaderWindow, path: String
    ) throws -> (UInt64, Bool) {
        let central = directory.entry(index)
        let headerOffset = directory.records[index].headerOffset
        let headerEnd = headerOffset + UInt64(fixedLength + central.nameLength)  // checked by `cover`
        let header = window.index(of: headerOffset, count: fixedLength + central.nameLength)
        let bytes = window.buffer
        @inline(__always) func u16(_ at: Int) -> UInt16 { UInt16(bytes[header + at]) | UInt16(bytes[header + at + 1]) << 8 }
        @inline(__always) func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        guard u32(0) == signature else {
            throw ContainerError.malformedLocalHeader(
                path: path, record: directory.records[index].name, offset: headerOffset, reason: "no local header signature")
        }
        guard Int(u16(26)) == central.nameLength,
            NameBytes.equal(bytes, at: header + fixedLength, directory.bytes, at: central.nameStart, count: central.nameLength)
        else {
            throw ContainerError.localHeaderMismatch(path: path, record: directory.records[index].name, field: "name")
        }
        guard u16(8) == central.method else {
            throw ContainerError.localHeaderMismatch(
                path: path, record: directory.records[index].name, field: "compression method")
        }
        let extraLength = UInt64(u16(28))
        let dataStart = headerEnd + extraLength  // cannot overflow: headerEnd <= directoryOffset
        let compressedSize = directory.records[index].compressedSize
        let (dataEnd, dataOverflow) = dataStart.addingReportingOverflow(compressedSize)
        guard !dataOverflow, dataEnd <= window.end else {
            throw ContainerError.recordOutOfBounds(
                path: path, record: directory.records[index].name, offset: dataStart, size: compressedSize)
        }
        let local = LocalFields(
            versionNeeded: u16(4), flags: u16(6), time: u16(10), date: u16(12), crc32: u32(14),
            compressedSize: UInt64(u32(18)), size: UInt64(u32(22)))
        let extra = try window.extra(at: headerEnd, count: Int(extraLength))
        let recorded = (crc32: directory.records[index].crc32, size: directory.records[index].size, compressedSize)
        return (dataStart, local.libzipJudgesDifferently(recorded, central, extra: extra))
    }

    /// Refuses archives in which two records (local header through data) share bytes.
    private static func checkNoOverlap(_ records: [ZipRecord], dataOffsets: [UInt64], path: String) throws {
        var spans = records.indices.map {
            (start: records[$0].headerOffset, end: dataOffsets[$0] + records[$0].compressedSize, index: $0)
        }
        if !zip(spans, spans.dropFirst()).allSatisfy({ $0.start <= $1.start }) {
            spans.sort { ($0.start, $0.index) < ($1.start, $1.index) }
        }
        for (previous, next) in zip(spans, spans.dropFirst()) where next.start < previous.end {
            throw ContainerError.overlappingRecords(
                path: path, first: records[previous.index].name, second: records[next.index].name)
        }
    }
}

/// The local header fields libzip compares with the central directory (ZIP_CHECKCONS).
private struct LocalFields {
    let versionNeeded: UInt16
    let flags: UInt16
    let time: UInt16
    let date: UInt16
    let crc32: UInt32
    let compressedSize: UInt64
    let size: UInt64

    /// Whether libzip would find this header inconsistent with its entry, or read its extra field otherwise
    /// than we do: libzip then judges the archive (its verdict decides, as before this reader read headers
    /// itself). Method and name were compared already.
    func libzipJudgesDifferently(
        _ record: (crc32: UInt32, size: UInt64, compressedSize: UInt64), _ central: CentralEntryFields,
        extra: ArraySlice<UInt8>
    ) -> Bool {
        if versionNeeded > central.versionNeeded || time != central.time || date != central.date { return true }
        if ExtraFields.libzipReadsDifferently(extra) { return true }
        guard let sizes = ExtraFields.localZip64Sizes(extra, size: size, compressedSize: compressedSize) else { return true }
        let deferred = flags & 0x0008 != 0 && crc32 == 0 && sizes.size == 0 && sizes.compressedSize == 0
        let agrees = crc32 == record.crc32 && sizes.size == record.size && sizes.compressedSize == record.compressedSize
        return !(deferred || agrees)
    }
}

/// File bytes that hold the local headers being checked: one read covers the next headers when they lie
/// within ``LocalHeaders/windowLength`` of each other, and only the header when records are large.
private struct HeaderWindow {
    let file: FileReader
    /// The directory's offset: no header or data may reach past it.
    let end: UInt64
    private(set) var buffer: [UInt8] = []
    private var start: UInt64 = 0
    /// Bytes read past a header's name, so that torch's padding field comes with the header.
    private static let extraAllowance: UInt64 = 128

    init(file: FileReader, end: UInt64) {
        self.file = file
        self.end = end
    }

    /// Makes sure record `index`'s header (fixed part and name) is in the window, reading it and the headers
    /// of the records after it that fit; throws if the header lies outside the archive's records.
    mutating func cover(_ index: Int, of directory: CentralDirectory) throws {
        let headerOffset = directory.records[index].headerOffset
        let length = headerLength(index, directory)
        let (headerEnd, overflow) = headerOffset.addingReportingOverflow(UInt64(length))
        guard !overflow, headerEnd <= end else {
            throw ContainerError.recordOutOfBounds(
                path: file.path, record: directory.records[index].name, offset: headerOffset, size: UInt64(length))
        }
        if contains(headerOffset, count: length) { return }
        var windowEnd = min(headerEnd + Self.extraAllowance, end)
        var next = index + 1
        while next < directory.records.count {
            let offset = directory.records[next].headerOffset
            let length = UInt64(headerLength(next, directory)) + Self.extraAllowance
            let room = UInt64(LocalHeaders.windowLength)
            guard offset >= headerOffset, length <= room, offset - headerOffset <= room - length else { break }
            windowEnd = max(windowEnd, min(offset + length, end))
            next += 1
        }
        start = headerOffset
        buffer = try file.read(offset: start, count: Int(windowEnd - start))
    }

    /// The fixed part and name of a header.
    private func headerLength(_ index: Int, _ directory: CentralDirectory) -> Int {
        let start = directory.entryStarts[index]
        return LocalHeaders.fixedLength + (Int(directory.bytes[start + 28]) | Int(directory.bytes[start + 29]) << 8)
    }

    private func contains(_ offset: UInt64, count: Int) -> Bool {
        offset >= start && offset - start <= UInt64(buffer.count) && UInt64(buffer.count) - (offset - start) >= UInt64(count)
    }

    /// Where the file's bytes at `offset` are in ``buffer`` (``cover(_:of:)`` came first).
    func index(of offset: UInt64, count: Int) -> Int {
        precondition(contains(offset, count: count), "bytes outside the window")
        return Int(offset - start)
    }

    /// A local extra field: from the window when it holds it, else read on its own.
    func extra(at offset: UInt64, count: Int) throws -> ArraySlice<UInt8> {
        if contains(offset, count: count) { return buffer[index(of: offset, count: count)...].prefix(count) }
        return try file.read(offset: offset, count: count)[...]
    }
}
