/// The extra fields of a zip header, as far as they decide whether libzip would read the record as we do.
///
/// We read an extra field only for its zip64 sizes (and skip torch's 'FB' padding). libzip also applies
/// Info-ZIP's Unicode path and comment fields (a record could then have another name for it) and WinZip's
/// AES field, and refuses a run of fields that does not parse: an archive with any of these is judged by
/// libzip as well (see ``ZipArchiveReader``).
enum ExtraFields {
    /// Info-ZIP Unicode path (0x7075) and comment (0x6375) fields, WinZip AES (0x9901); compared, not hashed:
    /// every header of an archive asks.
    private static func libzipApplies(_ id: UInt16) -> Bool {
        id == 0x7075 || id == 0x6375 || id == 0x9901
    }

    /// Whether libzip could read `extra` otherwise than as padding and zip64 sizes.
    static func libzipReadsDifferently(_ extra: ArraySlice<UInt8>) -> Bool {
        var position = extra.startIndex
        while position < extra.endIndex {
            guard extra.endIndex - position >= 4 else { return true }
            let id = UInt16(extra[position]) | UInt16(extra[position + 1]) << 8
            let length = Int(extra[position + 2]) | Int(extra[position + 3]) << 8
            position += 4
            guard length <= extra.endIndex - position, !libzipApplies(id) else { return true }
            position += length
        }
        return false
    }

    /// The sizes a local header's zip64 field gives for the placeholders among `size` and `compressedSize`
    /// (libzip's order: size, then compressed size), or nil if the field is missing or too short.
    static func localZip64Sizes(
        _ extra: ArraySlice<UInt8>, size: UInt64, compressedSize: UInt64
    ) -> (size: UInt64, compressedSize: UInt64)? {
        let wantsSize = size == 0xFFFF_FFFF
        let wantsCompressed = compressedSize == 0xFFFF_FFFF
        guard wantsSize || wantsCompressed else { return (size, compressedSize) }
        var position = extra.startIndex
        while extra.endIndex - position >= 4 {
            let id = UInt16(extra[position]) | UInt16(extra[position + 1]) << 8
            let length = Int(extra[position + 2]) | Int(extra[position + 3]) << 8
            position += 4
            guard length <= extra.endIndex - position else { return nil }
            if id == 0x0001 {
                var payload = extra[position..<position + length]
                func u64() -> UInt64? {
                    guard payload.count >= 8 else { return nil }
                    defer { payload = payload.dropFirst(8) }
                    return payload.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
                }
                guard let newSize = wantsSize ? u64() : size, let newCompressed = wantsCompressed ? u64() : compressedSize
                else { return nil }
                return (newSize, newCompressed)
            }
            position += length
        }
        return nil
    }
}
