/// The bytes of the zip structures torch writes around its records, exactly as miniz writes them
/// for `PyTorchStreamWriter` (pth-format.md §1.3–1.5): local headers with the 'FB' padding field,
/// data descriptors, central-directory entries and the three end records (zip64 ones always).
///
/// Version fields, times, dates and attributes are all 0 (miniz is built with `MINIZ_NO_TIME`),
/// so the output depends on nothing but the records.
enum TorchZipHeaders {
    /// General-purpose flag bit 11: the name is UTF-8 (torch sets it on every record).
    static let utf8NameFlag: UInt16 = 0x0800
    /// Flag bit 3: CRC and sizes follow the data in a descriptor (set on every non-empty record).
    static let dataDescriptorFlag: UInt16 = 0x0008
    static let zip64ExtraID: UInt16 = 0x0001
    /// torch's padding field id: the bytes 'F', 'B' read as a little-endian UInt16.
    static let paddingFieldID: UInt16 = 0x4246
    /// The padding field's filler, 'Z'.
    static let paddingByte = UInt8(ascii: "Z")
    /// The length of the three end records together.
    static let endRecordsLength = 56 + 20 + 22

    /// The flags of a record of `size` bytes.
    static func flags(size: UInt64) -> UInt16 {
        size == 0 ? utf8NameFlag : utf8NameFlag | dataDescriptorFlag
    }

    /// Local header, name, [zip64 field] and 'FB' field: everything before the record's data.
    /// CRC and sizes are 0 here; the descriptor carries them.
    static func localHeader(name: [UInt8], placement: RecordPlacement) -> [UInt8] {
        FieldStores.bytes(count: localHeaderLength(name.count, placement)) {
            writeLocalHeader(name: name, placement: placement, to: &$0)
        }
    }

    /// The length of ``localHeader(name:placement:)``.
    static func localHeaderLength(_ nameLength: Int, _ placement: RecordPlacement) -> Int {
        let zip64 = RecordPlacement.zip64ExtraLength(size: placement.sizeNeedsZip64, offset: placement.offsetNeedsZip64)
        return Int(TorchZipLayout.localHeaderLength + TorchZipLayout.paddingFieldHeaderLength) + nameLength + zip64
            + placement.padding
    }

    /// ``localHeader(name:placement:)`` stored in place (a writer builds it in its output buffer).
    static func writeLocalHeader(name: [UInt8], placement: RecordPlacement, to fields: inout FieldStores) {
        let zip64 = RecordPlacement.zip64ExtraLength(size: placement.sizeNeedsZip64, offset: placement.offsetNeedsZip64)
        let extraLength = zip64 + Int(TorchZipLayout.paddingFieldHeaderLength) + placement.padding
        fields.u32(0x0403_4B50)
        fields.u16(0)  // version needed: miniz writes 20 only for deflate
        fields.u16(flags(size: placement.size))
        fields.u16(0)  // method: stored
        fields.u32(0)  // time, date
        fields.u32(0)  // CRC
        fields.u64(0)  // compressed and uncompressed size
        fields.u16(UInt16(name.count))
        fields.u16(UInt16(extraLength))
        fields.bytes(name)
        if zip64 > 0 {
            // miniz has not computed the compressed size yet when it writes this field: 0.
            writeZip64Field(to: &fields, placement, sizes: (placement.size, 0))
        }
        fields.u16(paddingFieldID)
        fields.u16(UInt16(placement.padding))
        fields.repeating(paddingByte, count: placement.padding)
    }

    /// The descriptor after a record's data: signature, CRC, compressed and uncompressed size
    /// (8 bytes each with zip64, else 4); empty for an empty record.
    static func dataDescriptor(crc32: UInt32, placement: RecordPlacement) -> [UInt8] {
        FieldStores.bytes(count: Int(placement.descriptorLength)) {
            writeDataDescriptor(crc32: crc32, placement: placement, to: &$0)
        }
    }

    /// ``dataDescriptor(crc32:placement:)`` stored in place; its length is the placement's `descriptorLength`.
    static func writeDataDescriptor(crc32: UInt32, placement: RecordPlacement, to fields: inout FieldStores) {
        guard placement.size > 0 else { return }
        fields.u32(0x0807_4B50)
        fields.u32(crc32)
        let width = placement.usesZip64 ? 8 : 4
        fields.littleEndian(placement.size, width: width)
        fields.littleEndian(placement.size, width: width)
    }

    /// A record's central-directory entry: 32-bit fields clamped, the real values in a zip64 field.
    static func centralEntry(_ record: WrittenRecord) -> [UInt8] {
        FieldStores.bytes(count: centralEntryLength(record.name.count, record.placement)) {
            writeCentralEntry(record, to: &$0)
        }
    }

    /// ``centralEntry(_:)`` stored in place; its length is ``centralEntryLength(_:_:)``.
    static func writeCentralEntry(_ record: WrittenRecord, to fields: inout FieldStores) {
        let placement = record.placement
        let zip64 = RecordPlacement.zip64ExtraLength(size: placement.sizeNeedsZip64, offset: placement.offsetNeedsZip64)
        fields.u32(0x0201_4B50)
        fields.u32(0)  // version made by, version needed
        fields.u16(flags(size: placement.size))
        fields.u16(0)  // method: stored
        fields.u32(0)  // time, date
        fields.u32(record.crc32)
        fields.u32(clamped32(placement.size))  // compressed
        fields.u32(clamped32(placement.size))  // uncompressed
        fields.u16(UInt16(record.name.count))
        fields.u16(UInt16(zip64))
        fields.u64(0)  // comment length, disk, internal attributes, external attributes (0, as torch)
        fields.u16(0)
        fields.u32(clamped32(placement.headerOffset))
        fields.bytes(record.name)
        if zip64 > 0 { writeZip64Field(to: &fields, placement, sizes: (placement.size, placement.size)) }
    }

    /// The length of a record's central-directory entry.
    static func centralEntryLength(_ nameLength: Int, _ placement: RecordPlacement) -> Int {
        46 + nameLength + RecordPlacement.zip64ExtraLength(size: placement.sizeNeedsZip64, offset: placement.offsetNeedsZip64)
    }

    /// The zip64 end record, the zip64 locator and the end record, for a central directory of
    /// `entryCount` entries, `size` bytes, at `offset` (the end records follow it directly).
    static func endRecords(entryCount: UInt64, directoryOffset offset: UInt64, directorySize size: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(endRecordsLength)
        bytes.appendU32(0x0606_4B50)
        bytes.appendU64(44)  // size of the rest of this record
        bytes.appendU16(0x031E)  // made by: Unix, 3.0 (miniz's constant)
        bytes.appendU16(0x002D)  // needed: 4.5, zip64
        bytes.appendU64(0)  // this disk, the directory's disk
        bytes.appendU64(entryCount)
        bytes.appendU64(entryCount)
        bytes.appendU64(size)
        bytes.appendU64(offset)
        bytes.appendU32(0x0706_4B50)
        bytes.appendU32(0)  // disk of the zip64 end record
        bytes.appendU64(offset + size)  // the zip64 end record follows the directory
        bytes.appendU32(1)  // disks in total
        bytes.appendU32(0x0605_4B50)
        bytes.appendU32(0)  // this disk, the directory's disk
        bytes.appendU16(UInt16(min(entryCount, 0xFFFF)))
        bytes.appendU16(UInt16(min(entryCount, 0xFFFF)))
        bytes.appendU32(clamped32(size))
        bytes.appendU32(clamped32(offset))
        bytes.appendU16(0)  // comment length
        return bytes
    }

    /// A zip64 extra field: [uncompressed, compressed] if the size needs it, [header offset] if
    /// the offset does, in that order (the order readers expect).
    private static func writeZip64Field(
        to fields: inout FieldStores, _ placement: RecordPlacement, sizes: (uncompressed: UInt64, compressed: UInt64)
    ) {
        let length = RecordPlacement.zip64ExtraLength(size: placement.sizeNeedsZip64, offset: placement.offsetNeedsZip64)
        fields.u16(zip64ExtraID)
        fields.u16(UInt16(length - 4))
        if placement.sizeNeedsZip64 {
            fields.u64(sizes.uncompressed)
            fields.u64(sizes.compressed)
        }
        if placement.offsetNeedsZip64 { fields.u64(placement.headerOffset) }
    }

    /// `value` for a 32-bit field, or 0xFFFFFFFF ("see the zip64 field") if it does not fit below that.
    private static func clamped32(_ value: UInt64) -> UInt32 {
        UInt32(min(value, TorchZipLayout.zip64Threshold))
    }
}

/// A record that has been written: what its central-directory entry says.
struct WrittenRecord: Equatable {
    /// The name bytes (UTF-8).
    let name: [UInt8]
    let placement: RecordPlacement
    /// CRC-32 of the record's bytes.
    let crc32: UInt32
}
