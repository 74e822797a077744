// The only file of this module, besides the C and POSIX call files, that copies raw memory.

/// Bulk byte copies between arrays, as `memcpy` (element-wise slice assignment is not reliably one).
enum RawMemory {
    /// Copies `source` into `destination[index ..< index + source.count]`; the range is the caller's
    /// own bookkeeping, so a bad one traps.
    static func copy(_ source: ArraySlice<UInt8>, into destination: inout [UInt8], at index: Int) {
        precondition(index >= 0 && index <= destination.count - source.count, "copy range out of bounds")
        guard !source.isEmpty else { return }
        source.withUnsafeBytes { from in
            destination.withUnsafeMutableBytes { to in
                (to.baseAddress! + index).copyMemory(from: from.baseAddress!, byteCount: from.count)
            }
        }
    }
}
