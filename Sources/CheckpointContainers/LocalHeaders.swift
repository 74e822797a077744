/// Reads each record's local header to find where its bytes start, and checks that the
/// local headers agree with the central directory and that no two records share bytes.
///
/// Torch's local headers carry CRC 0 and sizes 0 (flag bit 3, data descriptor), so sizes and
/// CRCs come from the central directory; only the name, the method and the lengths of the
/// name and extra field are taken from the local header.
enum LocalHeaders {
    static let fixedLength = 30
    private static let signature: UInt32 = 0x0403_4B50

    /// The file offset of each entry's bytes, in entry order.
    ///
    /// `directoryOffset` bounds every record: local headers and data lie before the directory.
    static func dataOffsets(of entries: [CentralEntry], in file: FileReader, directoryOffset: UInt64) throws -> [UInt64] {
        var offsets: [UInt64] = []
        offsets.reserveCapacity(entries.count)
        for entry in entries {
            offsets.append(try dataOffset(of: entry, in: file, directoryOffset: directoryOffset))
        }
        try checkNoOverlap(entries, dataOffsets: offsets, path: file.path)
        return offsets
    }

    /// Reads one local header and returns where the entry's bytes start.
    private static func dataOffset(of entry: CentralEntry, in file: FileReader, directoryOffset: UInt64) throws -> UInt64 {
        let headerLength = fixedLength + entry.nameBytes.count
        let (headerEnd, overflow) = entry.headerOffset.addingReportingOverflow(UInt64(headerLength))
        guard !overflow, headerEnd <= directoryOffset else {
            throw ContainerError.recordOutOfBounds(
                path: file.path, record: entry.name, offset: entry.headerOffset, size: UInt64(headerLength))
        }
        let bytes = try file.read(offset: entry.headerOffset, count: headerLength)
        var cursor = ByteCursor(bytes: bytes, fileOffset: entry.headerOffset) { offset in
            .malformedLocalHeader(path: file.path, record: entry.name, offset: offset, reason: "header cut short")
        }
        guard try cursor.u32() == signature else {
            throw ContainerError.malformedLocalHeader(
                path: file.path, record: entry.name, offset: entry.headerOffset, reason: "no local header signature")
        }
        try cursor.skip(4)  // version needed, flags
        let method = try cursor.u16()
        try cursor.skip(16)  // time, date, CRC, sizes: deferred to the data descriptor by torch
        let nameLength = Int(try cursor.u16())
        let extraLength = UInt64(try cursor.u16())
        guard nameLength == entry.nameBytes.count, bytes[fixedLength...].elementsEqual(entry.nameBytes) else {
            throw ContainerError.localHeaderMismatch(path: file.path, record: entry.name, field: "name")
        }
        guard method == entry.method else {
            throw ContainerError.localHeaderMismatch(path: file.path, record: entry.name, field: "compression method")
        }
        let dataStart = headerEnd + extraLength  // cannot overflow: headerEnd <= directoryOffset
        let (dataEnd, dataOverflow) = dataStart.addingReportingOverflow(entry.compressedSize)
        guard !dataOverflow, dataEnd <= directoryOffset else {
            throw ContainerError.recordOutOfBounds(
                path: file.path, record: entry.name, offset: dataStart, size: entry.compressedSize)
        }
        return dataStart
    }

    /// Refuses archives in which two records (local header through data) share bytes.
    private static func checkNoOverlap(_ entries: [CentralEntry], dataOffsets: [UInt64], path: String) throws {
        let spans = entries.indices
            .map { (start: entries[$0].headerOffset, end: dataOffsets[$0] + entries[$0].compressedSize, index: $0) }
            .sorted { ($0.start, $0.index) < ($1.start, $1.index) }
        for (previous, next) in zip(spans, spans.dropFirst()) where next.start < previous.end {
            throw ContainerError.overlappingRecords(
                path: path, first: entries[previous.index].name, second: entries[next.index].name)
        }
    }
}
