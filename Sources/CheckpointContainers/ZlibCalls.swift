internal import CMergeDAConvZlib

// The only file of this module that imports zlib. It touches raw memory only to hand
// array storage to zlib's CRC-32.

/// zlib's CRC-32 functions over Swift arrays.
enum Zlib {
    /// Continues the running CRC `crc` over `bytes` (`crc32_z`, any length, no copy).
    static func crc32(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { crc32(crc, $0) }
    }

    /// Continues the running CRC `crc` over the memory of `values` (their bytes as this machine stores them).
    static func crc32(_ crc: UInt32, float32Values values: ArraySlice<Float>) -> UInt32 {
        values.withUnsafeBytes { crc32(crc, $0) }
    }

    private static func crc32(_ crc: UInt32, _ memory: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = memory.baseAddress, !memory.isEmpty else { return crc }
        return UInt32(truncatingIfNeeded: crc32_z(UInt(crc), base.assumingMemoryBound(to: UInt8.self), memory.count))
    }

    /// The CRC of `A + B` from the CRC of `A`, the CRC of `B` and the length of `B`.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        precondition(secondLength <= UInt64(Int.max), "length beyond off_t")
        return UInt32(truncatingIfNeeded: crc32_combine(UInt(first), UInt(second), Int(secondLength)))
    }
}
