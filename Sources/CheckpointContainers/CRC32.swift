import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The zip CRC-32 (polynomial 0xEDB88320, as in zlib).
///
/// Computed by the C kernel's carry-less-multiplication folding (about 10 GB/s per core on x86-64)
/// or, on CPUs without it, by zlib (2–4 GB/s). Inputs from `parallelThreshold` on are hashed in
/// parts on every core and the parts joined with `crc32_combine`, which costs O(log n).
public enum CRC32 {
    /// Inputs at least this large are split across cores.
    public static let parallelThreshold = 4 << 20

    /// What computes the CRC here: the kernel's implementation name (`vpclmulqdq`, `pclmulqdq`) or `zlib`.
    public static var implementation: String {
        engine.name
    }

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
        let engine = Self.engine
        let parts = partCount(for: bytes.count)
        guard parts > 1 else { return engine.checksum(bytes, initial: initial) }
        let partLength = (bytes.count + parts - 1) / parts
        let results = Mutex([UInt32](repeating: 0, count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = bytes.startIndex + part * partLength
            let crc = engine.checksum(bytes[start..<min(start + partLength, bytes.endIndex)], initial: 0)
            results.withLock { $0[part] = crc }
        }
        var crc = initial
        for (part, partCRC) in results.withLock({ $0 }).enumerated() {
            let length = min(partLength, bytes.count - part * partLength)
            crc = combine(crc, partCRC, secondLength: UInt64(length))
        }
        return crc
    }

    /// The CRC-32 of float32 values as a little-endian record stores them: the bytes a stored record's
    /// reader just decoded, checked without reading the record again.
    public static func checksum(littleEndianFloat32 values: [Float]) -> UInt32 {
        checksum(littleEndianFloat32: values[...], initial: 0)
    }

    /// The same for a run of values, continuing from `initial` (the CRC of the bytes before them): a record
    /// read in runs is checked run by run.
    public static func checksum(littleEndianFloat32 values: ArraySlice<Float>, initial: UInt32) -> UInt32 {
        #if _endian(big)
            return checksum(FloatingPointBytes.encodeFloat32(Array(values)), initial: initial)
        #else
            return engine.checksum(float32Values: values, initial: initial)
        #endif
    }

    /// The CRC-32 of `A + B`, given the CRC of `A`, the CRC of `B` and the length of `B`.
    public static func combine(_ first: UInt32, _ second: UInt32, secondLength: UInt64) -> UInt32 {
        Zlib.combine(first, second, secondLength: secondLength)
    }

    /// The CRC-32 of a slice on the calling thread only, for callers that keep the other cores
    /// busy themselves (the zip writer's background writes).
    static func serialChecksum(_ bytes: ArraySlice<UInt8>, initial: UInt32) -> UInt32 {
        engine.checksum(bytes, initial: initial)
    }

    /// The kernel when it folds with carry-less multiplication, else zlib.
    static let engine: CRC32Engine = CRC32Kernel.best == .table ? .zlib : .kernel(CRC32Kernel.best)

    /// How many parts to hash `count` bytes in: one per core, none smaller than half the threshold.
    private static func partCount(for count: Int) -> Int {
        guard count >= parallelThreshold else { return 1 }
        return max(1, min(processorCount, count / (parallelThreshold / 2)))
    }

    /// Online processors, read once.
    private static let processorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// One way of computing the CRC-32; every engine gives the same values (tests compare them all).
enum CRC32Engine: Equatable, Sendable {
    case kernel(CRC32Kernel.Implementation)
    case zlib

    /// Every engine this CPU can run.
    static var available: [CRC32Engine] {
        [.zlib] + CRC32Kernel.Implementation.allCases.filter { $0.rawValue <= CRC32Kernel.best.rawValue }.map { .kernel($0) }
    }

    /// A short name: the kernel implementation's, or `zlib`.
    var name: String {
        switch self {
        case .kernel(let implementation): return implementation.name
        case .zlib: return "zlib"
        }
    }

    /// The CRC of `bytes`, continuing from `initial`.
    func checksum(_ bytes: ArraySlice<UInt8>, initial: UInt32) -> UInt32 {
        switch self {
        case .kernel(let implementation): return CRC32Kernel.crc32(initial, bytes, using: implementation)
        case .zlib: return Zlib.crc32(initial, bytes)
        }
    }

    /// The CRC of the memory of `values`, continuing from `initial`.
    func checksum(float32Values values: ArraySlice<Float>, initial: UInt32) -> UInt32 {
        switch self {
        case .kernel(let implementation): return CRC32Kernel.crc32(initial, float32Values: values, using: implementation)
        case .zlib: return Zlib.crc32(initial, float32Values: values)
        }
    }
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

    /// Adds a slice on the calling thread only (see `CRC32.serialChecksum`).
    mutating func addSerially(_ bytes: ArraySlice<UInt8>) {
        value = CRC32.serialChecksum(bytes, initial: value)
        count += UInt64(bytes.count)
    }

    /// Adds held bytes on the calling thread only.
    mutating func addSerially(_ bytes: RecordBytes) {
        let crc = bytes.serialChecksum()
        value = count == 0 ? crc : CRC32.combine(value, crc, secondLength: UInt64(bytes.count))
        count += UInt64(bytes.count)
    }
}
