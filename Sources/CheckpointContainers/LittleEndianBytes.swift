/// Appending little-endian integers to a byte array, for the zip headers the writer builds.
extension Array where Element == UInt8 {
    /// Appends the low `width` bytes of `value`, least significant first. Inlined: a zip writer appends a
    /// dozen fields per record, and a constant width unrolls.
    @inline(__always)
    mutating func appendLittleEndian(_ value: UInt64, width: Int) {
        precondition(
            width > 0 && width <= 8 && (width == 8 || value >> UInt64(width * 8) == 0),
            "value does not fit the field")
        for index in 0..<width {
            append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
        }
    }

    /// Appends a 2-byte field.
    @inline(__always) mutating func appendU16(_ value: UInt16) { appendLittleEndian(UInt64(value), width: 2) }
    /// Appends a 4-byte field.
    @inline(__always) mutating func appendU32(_ value: UInt32) { appendLittleEndian(UInt64(value), width: 4) }
    /// Appends an 8-byte field.
    @inline(__always) mutating func appendU64(_ value: UInt64) { appendLittleEndian(value, width: 8) }
}
