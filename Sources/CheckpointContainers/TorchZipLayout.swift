/// Where torch's zip writer (`PyTorchStreamWriter` over miniz) puts each record, byte for byte, so
/// that `ZipArchiveWriter` can announce every record's data offset before writing anything and
/// reproduce `torch.save`'s layout exactly (pth-format.md §1.3–1.4).
///
/// One record is: a 30-byte local header; the name; a zip64 extra field when the record has
/// 0xFFFFFFFF bytes or more, or its header starts at offset 0xFFFFFFFF or later; torch's 'FB' extra
/// field, always present, whose padding puts the data on the alignment; the data; and a data
/// descriptor (16 bytes, 24 with zip64, none for an empty record). The next header follows at once.
struct TorchZipLayout {
    static let localHeaderLength: UInt64 = 30
    /// The id and length of the 'FB' padding field.
    static let paddingFieldHeaderLength: UInt64 = 4
    /// Sizes and offsets from this value on are written in zip64 fields (miniz's `>= MZ_UINT32_MAX`).
    static let zip64Threshold: UInt64 = 0xFFFF_FFFF
    /// The largest file offset: `pwrite` takes a signed 64-bit offset.
    static let maxOffset = UInt64(Int64.max)
    /// The longest data descriptor.
    static let maxDescriptorLength: UInt64 = 24

    /// The boundary every record's data starts on (a power of two).
    let alignment: UInt64
    /// Where the next record's local header will start.
    private(set) var nextHeaderOffset: UInt64 = 0

    /// An alignment of 1 to 32768 bytes, a power of two (torch's default is 64).
    init(alignment: UInt64) {
        precondition(
            alignment > 0 && alignment & (alignment - 1) == 0 && alignment <= 1 << 15,
            "alignment must be a power of two up to 32768")
        self.alignment = alignment
    }

    /// Places the next record of `size` bytes whose name has `nameLength` bytes; nil (and nothing
    /// changes) if the record would end beyond `maxOffset`.
    mutating func place(nameLength: Int, size: UInt64) -> RecordPlacement? {
        precondition(nameLength >= 0 && nameLength <= RecordNameRules.maxNameLength, "name length")
        let headerOffset = nextHeaderOffset
        let sizeNeedsZip64 = size >= Self.zip64Threshold
        let offsetNeedsZip64 = headerOffset >= Self.zip64Threshold
        let zip64Length = RecordPlacement.zip64ExtraLength(size: sizeNeedsZip64, offset: offsetNeedsZip64)
        let fixed = Self.localHeaderLength + UInt64(nameLength) + UInt64(zip64Length) + Self.paddingFieldHeaderLength
        guard headerOffset <= Self.maxOffset - fixed - alignment else { return nil }
        let unpadded = headerOffset + fixed
        let padding = (alignment - unpadded % alignment) % alignment
        let dataOffset = unpadded + padding
        let room = Self.maxOffset - dataOffset
        guard room >= Self.maxDescriptorLength, size <= room - Self.maxDescriptorLength else { return nil }
        let placement = RecordPlacement(
            headerOffset: headerOffset, size: size, sizeNeedsZip64: sizeNeedsZip64,
            offsetNeedsZip64: offsetNeedsZip64, padding: Int(padding), dataOffset: dataOffset)
        nextHeaderOffset = placement.end
        return placement
    }

    /// The largest record `place` accepts next for a name of `nameLength` bytes (0 if none fits).
    func largestSize(nameLength: Int) -> UInt64 {
        var trial = self
        if let zip64Sized = trial.place(nameLength: nameLength, size: Self.zip64Threshold) {
            return Self.maxOffset - zip64Sized.dataOffset - Self.maxDescriptorLength
        }
        trial = self  // only sizes below the zip64 threshold can fit, all with the same data offset
        guard let small = trial.place(nameLength: nameLength, size: 0) else { return 0 }
        return min(Self.zip64Threshold - 1, Self.maxOffset - small.dataOffset - Self.maxDescriptorLength)
    }
}

/// Where one record goes and which zip64 fields it carries.
struct RecordPlacement: Equatable {
    /// File offset of the local header.
    let headerOffset: UInt64
    /// The record's size in bytes (stored: the same in the file).
    let size: UInt64
    /// The sizes go into zip64 fields (size >= 0xFFFFFFFF).
    let sizeNeedsZip64: Bool
    /// The header offset goes into zip64 fields (offset >= 0xFFFFFFFF).
    let offsetNeedsZip64: Bool
    /// Bytes of 'Z' in the 'FB' field.
    let padding: Int
    /// File offset of the record's first byte; a multiple of the alignment.
    let dataOffset: UInt64

    /// Whether the record has zip64 extra fields and a 24-byte descriptor.
    var usesZip64: Bool { sizeNeedsZip64 || offsetNeedsZip64 }
    /// The length of the data descriptor after the data.
    var descriptorLength: UInt64 { size == 0 ? 0 : usesZip64 ? 24 : 16 }
    /// Where the next record's header starts.
    var end: UInt64 { dataOffset + size + descriptorLength }

    /// The length of a zip64 extra field (id and length included) holding the sizes and/or the
    /// offset, or 0 if it holds nothing; the same locally and centrally.
    static func zip64ExtraLength(size: Bool, offset: Bool) -> Int {
        guard size || offset else { return 0 }
        return 4 + (size ? 16 : 0) + (offset ? 8 : 0)
    }
}
