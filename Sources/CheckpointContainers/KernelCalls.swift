internal import CMergeDAConvKernels

// With TerminationCleanup.swift, the only file of this module that calls CMergeDAConvKernels. It touches raw
// memory only to hand array storage to them.

/// The C target's CRC-32 (carry-less-multiplication folding where the CPU has it).
enum CRC32Kernel {
    /// The kernel's implementations, slowest first; each implies the ones before it.
    enum Implementation: Int, CaseIterable, Sendable {
        /// A byte at a time through a table (any CPU; slow, so `CRC32` prefers zlib then).
        case table = 0
        /// PCLMULQDQ folding, 128-bit lanes.
        case pclmul = 1
        /// VPCLMULQDQ folding, 256-bit lanes.
        case vpclmul = 2

        /// The kernel's short name for it.
        var name: String {
            String(cString: mdk_crc32_impl_name(mdk_crc32_impl(rawValue: UInt32(rawValue))))
        }
    }

    /// The fastest implementation this CPU supports.
    static let best: Implementation = Implementation(rawValue: Int(mdk_crc32_best_impl().rawValue)) ?? .table

    /// Continues the CRC `crc` over `bytes` (no copy) with `implementation`, lowered to `best`.
    static func crc32(_ crc: UInt32, _ bytes: ArraySlice<UInt8>, using implementation: Implementation = best) -> UInt32 {
        bytes.withUnsafeBytes { crc32(crc, $0, using: implementation) }
    }

    /// Continues the CRC `crc` over the memory of `values` (their bytes as this machine stores them).
    static func crc32(
        _ crc: UInt32, float32Values values: ArraySlice<Float>, using implementation: Implementation = best
    ) -> UInt32 {
        values.withUnsafeBytes { crc32(crc, $0, using: implementation) }
    }

    private static func crc32(_ crc: UInt32, _ memory: UnsafeRawBufferPointer, using implementation: Implementation) -> UInt32 {
        guard let base = memory.baseAddress, !memory.isEmpty else { return crc }
        let chosen = mdk_crc32_impl(rawValue: UInt32(implementation.rawValue))
        return mdk_crc32_with(chosen, crc, base.assumingMemoryBound(to: UInt8.self), memory.count)
    }
}
