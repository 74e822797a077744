/// Predicts, byte for byte, where libzip 1.7.3 places each stored record, so that a local
/// extra field ('FB' padding, as torch writes it) can put every record's data on an
/// alignment boundary.
///
/// What libzip writes for a stored record whose size it knows in advance (read from its
/// `zip_close.c` `add_data` and `zip_dirent.c` `_zip_dirent_write`):
/// - a 30-byte local header, the name, then libzip's own extra fields, then ours;
/// - libzip's only own local extra field is zip64 (id 1): 4 + 16 bytes when the size exceeds
///   0xFFFFFFFF, an empty 4-byte field when it is exactly 0xFFFFFFFF, none otherwise.
///   A local header offset beyond 4 GiB adds nothing locally (it goes to the central directory);
/// - that empty field is a libzip 1.7.3 bug: the 32-bit sizes say 0xFFFFFFFF ("see zip64") and
///   the zip64 field holds nothing, locally and (below 4 GiB) centrally, so nobody can read the
///   record back; the writer refuses that one size (`libzipUnreadableSize`);
/// - no data descriptor: libzip seeks back and rewrites the header, so the next header
///   follows the data immediately.
struct StoredLayout {
    /// The boundary every record's data starts on (a power of two).
    let alignment: UInt64
    /// Where the next record's local header will start.
    private(set) var nextHeaderOffset: UInt64 = 0

    static let localHeaderLength: UInt64 = 30
    /// The header of the padding extra field (id and length).
    static let paddingFieldHeaderLength: UInt64 = 4
    /// The record size libzip 1.7.3 writes unreadably (see above).
    static let libzipUnreadableSize: UInt64 = 0xFFFF_FFFF
    /// Offsets must stay within libzip's signed 64-bit positions.
    static let maxOffset = UInt64(Int64.max)

    init(alignment: UInt64) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0 && alignment <= 1 << 15,
                     "alignment must be a power of two up to 32768")
        self.alignment = alignment
    }

    /// Where one record goes.
    struct Placement: Equatable {
        let headerOffset: UInt64
        /// Bytes of padding payload in the 'FB' extra field.
        let padding: Int
        let dataOffset: UInt64
    }

    /// libzip's local zip64 extra field length for a stored record of `size` bytes.
    static func zip64LocalExtraLength(size: UInt64) -> UInt64 {
        if size > 0xFFFF_FFFF { return 20 }
        if size == 0xFFFF_FFFF { return 4 }
        return 0
    }

    /// Places the next record; nil if the archive would pass `maxOffset`.
    mutating func place(nameLength: Int, size: UInt64) -> Placement? {
        let headerOffset = nextHeaderOffset
        let fixed = Self.localHeaderLength + UInt64(nameLength) + Self.zip64LocalExtraLength(size: size)
            + Self.paddingFieldHeaderLength
        guard headerOffset <= Self.maxOffset - fixed - alignment else { return nil }
        let unpadded = headerOffset + fixed
        let padding = (alignment - unpadded % alignment) % alignment
        let dataOffset = unpadded + padding
        guard size <= Self.maxOffset - dataOffset else { return nil }
        nextHeaderOffset = dataOffset + size
        return Placement(headerOffset: headerOffset, padding: Int(padding), dataOffset: dataOffset)
    }
}
