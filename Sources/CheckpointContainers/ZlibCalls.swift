internal import CMergeDAConvZlib

// The only file of this module that imports zlib. It touches raw memory only to hand
// array storage to zlib's CRC-32.

/// zlib's CRC-32 functions over Swift arrays.
enum Zlib {
    /// Continues the running CRC `crc` over `bytes` (`crc32_z`, any length, no copy).
    static func crc32(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        guard !bytes.isEmpty else { return crc }
        return bytes.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32_z(UInt(crc), buffer.baseAddress!, buffer.count))
        }
    }

    /// Continues the running CRC `crc` over the memory of `values` (their bytes as this machine stores them).
    static func crc32(_ crc: UInt32, float32Values values: [Float]) -> UInt32 {
        guard !values.isEmpty else { return crc }
        return values.withUnsafeBytes { buffer in
            UInt32(truncatingIfNeeded: crc32_z(UInt(crc), buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count))
        }
    }

    /// The CRC of `A + B` from the CRC of `A`, the CRC of `B` and the length of `B`.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        precondition(secondLength <= UInt64(Int.max), "length beyond off_t")
        return UInt32(truncatingIfNeeded: crc32_combine(UInt(first), UInt(second), Int(secondLength)))
    }
}
