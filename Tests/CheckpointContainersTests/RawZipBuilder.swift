import CheckpointContainers

/// Builds zip archives byte by byte, with every field open to tampering, for hostile-input tests.
struct RawZipBuilder {
    /// One record as it will be written.
    struct Entry {
        var name: [UInt8]
        /// The bytes as they lie in the file (compressed if `method` is 8).
        var data: [UInt8]
        var method: UInt16 = 0
        /// Declared uncompressed size; defaults to `data.count`.
        var size: UInt64?
        /// Declared compressed size; defaults to `data.count`.
        var compressedSize: UInt64?
        /// Declared CRC-32; defaults to the CRC of `data` (right for stored records).
        var crc: UInt32?
        var flags: UInt16 = 0
        var localName: [UInt8]?
        var localMethod: UInt16?
        var localTime: UInt16 = 0
        var localVersion: UInt16 = 20
        /// CRC-32 to write in the local header instead of the declared one (sizes not deferred).
        var localCRC: UInt32?
        var localExtra: [UInt8] = []
        var centralExtra: [UInt8] = []
        /// Torch style: flag bit 3, CRC and sizes 0 in the local header, a data descriptor after the data.
        var deferredSizes = false
        /// Write size, compressed size and offset through a zip64 extra field in the central directory.
        var zip64 = false
        /// Central-directory header offset to write instead of the real one.
        var headerOffsetOverride: UInt64?

        init(_ name: String, _ data: [UInt8]) {
            self.name = Array(name.utf8)
            self.data = data
        }
    }

    var entries: [Entry]
    /// Write a zip64 end record and locator (as torch always does).
    var zip64End = false
    var comment: [UInt8] = []
    var entryCountOverride: UInt64?
    var directoryOffsetOverride: UInt64?
    var directorySizeOverride: UInt64?
    var diskNumber: UInt16 = 0
    /// The order of the central-directory entries (indices into `entries`); the local records' order otherwise.
    var centralOrder: [Int]?

    init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The archive's bytes.
    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        var offsets: [UInt64] = []
        for entry in entries {
            offsets.append(UInt64(out.count))
            appendLocal(entry, to: &out)
        }
        let directoryOffset = UInt64(out.count)
        for index in centralOrder ?? Array(entries.indices) {
            let entry = entries[index]
            appendCentral(entry, offset: entry.headerOffsetOverride ?? offsets[index], to: &out)
        }
        let directorySize = UInt64(out.count) - directoryOffset
        appendEnd(
            directoryOffset: directoryOffsetOverride ?? directoryOffset,
            directorySize: directorySizeOverride ?? directorySize, to: &out)
        return out
    }

    /// The local header, data and descriptor of `entry`, as `bytes()` writes them.
    static func localRecord(_ entry: Entry) -> [UInt8] {
        var out: [UInt8] = []
        RawZipBuilder([]).appendLocal(entry, to: &out)
        return out
    }

    private func appendLocal(_ entry: Entry, to out: inout [UInt8]) {
        let crc = entry.crc ?? CRC32.checksum(entry.data)
        let size = entry.size ?? UInt64(entry.data.count)
        let name = entry.localName ?? entry.name
        out.le(UInt32(0x0403_4B50))
        out.le(entry.localVersion)
        out.le(entry.flags | (entry.deferredSizes ? 0x0008 : 0))
        out.le(entry.localMethod ?? entry.method)
        out.le(entry.localTime)
        out.le(UInt16(0x21))
        if entry.deferredSizes {
            out.le(UInt32(0))
            out.le(UInt32(0))
            out.le(UInt32(0))
        } else {
            out.le(entry.localCRC ?? crc)
            out.le(UInt32(clamping: entry.compressedSize ?? UInt64(entry.data.count)))
            out.le(UInt32(clamping: size))
        }
        out.le(UInt16(name.count))
        out.le(UInt16(entry.localExtra.count))
        out += name
        out += entry.localExtra
        out += entry.data
        if entry.deferredSizes && !entry.data.isEmpty {
            out.le(UInt32(0x0807_4B50))
            out.le(crc)
            out.le(UInt32(clamping: entry.data.count))
            out.le(UInt32(clamping: size))
        }
    }

    private func appendCentral(_ entry: Entry, offset: UInt64, to out: inout [UInt8]) {
        let crc = entry.crc ?? CRC32.checksum(entry.data)
        let size = entry.size ?? UInt64(entry.data.count)
        let compressedSize = entry.compressedSize ?? UInt64(entry.data.count)
        var extra = entry.centralExtra
        if entry.zip64 {
            extra.le(UInt16(1))
            extra.le(UInt16(24))
            extra.le(size)
            extra.le(compressedSize)
            extra.le(offset)
        }
        out.le(UInt32(0x0201_4B50))
        out.le(UInt16(0x031E))
        out.le(UInt16(20))
        out.le(entry.flags | (entry.deferredSizes ? 0x0008 : 0))
        out.le(entry.method)
        out.le(UInt16(0))
        out.le(UInt16(0x21))
        out.le(crc)
        out.le(entry.zip64 ? UInt32.max : UInt32(clamping: compressedSize))
        out.le(entry.zip64 ? UInt32.max : UInt32(clamping: size))
        out.le(UInt16(entry.name.count))
        out.le(UInt16(extra.count))
        out.le(UInt16(0))
        out.le(UInt16(0))
        out.le(UInt16(0))
        out.le(UInt32(0))
        out.le(entry.zip64 ? UInt32.max : UInt32(clamping: offset))
        out += entry.name
        out += extra
    }

    private func appendEnd(directoryOffset: UInt64, directorySize: UInt64, to out: inout [UInt8]) {
        let count = entryCountOverride ?? UInt64(entries.count)
        if zip64End {
            let recordOffset = UInt64(out.count)
            out.le(UInt32(0x0606_4B50))
            out.le(UInt64(44))
            out.le(UInt16(0x031E))
            out.le(UInt16(45))
            out.le(UInt32(diskNumber))
            out.le(UInt32(0))
            out.le(count)
            out.le(count)
            out.le(directorySize)
            out.le(directoryOffset)
            out.le(UInt32(0x0706_4B50))
            out.le(UInt32(0))
            out.le(recordOffset)
            out.le(UInt32(1))
        }
        out.le(UInt32(0x0605_4B50))
        out.le(zip64End ? 0 : diskNumber)
        out.le(UInt16(0))
        out.le(UInt16(clamping: count))
        out.le(UInt16(clamping: count))
        out.le(zip64End ? UInt32.max : UInt32(clamping: directorySize))
        out.le(zip64End ? UInt32.max : UInt32(clamping: directoryOffset))
        out.le(UInt16(comment.count))
        out += comment
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` little-endian.
    mutating func le<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: 0, to: T.bitWidth, by: 8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// Reads a little-endian `T` at `offset`.
    func readLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value: T = 0
        for index in (0..<T.bitWidth / 8).reversed() {
            value = value << 8 | T(self[offset + index])
        }
        return value
    }
}
