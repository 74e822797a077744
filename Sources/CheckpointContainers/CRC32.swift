import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The zip CRC-32 (polynomial 0xEDB88320, as in zlib), spread over all cores for large inputs.
///
/// zlib's `crc32` runs at about 2 GB/s per core; a checkpoint's records are hashed in parts
/// on every core and the parts joined with `crc32_combine`, which costs O(log n).
public enum CRC32 {
    /// Inputs at least this large are split across cores.
    public static let parallelThreshold = 1 << 20

    /// The CRC-32 of `bytes`, continuing from `initial` (the CRC of any preceding bytes).
    public static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        checksum(bytes[...], initial: initial)
    }

    /// The CRC-32 of `bytes[range]`, continuing from `initial`; no copy is made.
    public static func checksum(_ bytes: [UInt8], range: Range<Int>, initial: UInt32 = 0) -> UInt32 {
        checksum(bytes[range], initial: initial)
    }

    /// The CRC-32 of a slice, continuing from `initial`; no copy is made.
    public static func checksum(_ bytes: ArraySlice<UInt8>, initial: UInt32 = 0) -> UInt32 {
        let parts = partCount(for: bytes.count)
        guard parts > 1 else { return Zlib.crc32(initial, bytes) }
        let partLength = (bytes.count + parts - 1) / parts
        let results = Mutex([UInt32](repeating: 0, count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = bytes.startIndex + part * partLength
            let crc = Zlib.crc32(0, bytes[start ..< min(start + partLength, bytes.endIndex)])
            results.withLock { $0[part] = crc }
        }
        var crc = initial
        for (part, partCRC) in results.withLock({ $0 }).enumerated() {
            let length = min(partLength, bytes.count - part * partLength)
            crc = combine(crc, partCRC, secondLength: UInt64(length))
        }
        return crc
    }

    /// The CRC-32 of `A + B`, given the CRC of `A`, the CRC of `B` and the length of `B`.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        Zlib.combine(first, second, secondLength: secondLength)
    }

    /// How many parts to hash `count` bytes in: one per core, none smaller than half the threshold.
    private static func partCount(for count: Int) -> Int {
        guard count >= parallelThreshold else { return 1 }
        return max(1, min(processorCount, count / (parallelThreshold / 2)))
    }

    /// Online processors, read once.
    private static let processorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// A running CRC-32 over bytes that arrive in pieces.
public struct CRC32Accumulator: Equatable, Sendable {
    /// The CRC-32 of everything added so far.
    public private(set) var value: UInt32 = 0
    /// How many bytes were added.
    public private(set) var count: UInt64 = 0

    /// An accumulator over no bytes.
    public init() {}

    /// Adds `bytes[range]`.
    public mutating func add(_ bytes: [UInt8], range: Range<Int>) {
        value = CRC32.checksum(bytes, range: range, initial: value)
        count += UInt64(range.count)
    }
}
