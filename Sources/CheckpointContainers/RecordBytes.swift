/// A record's bytes, computed and held in memory, that the zip writer sends to the file as they are instead
/// of copying them into its buffers: a folded 512 x 512 x 3 x 3 weight is 9.4 MB, and every copy of it is
/// one more pass over memory. float32 values stay in the array that computed them where the host is
/// little-endian (x86-64, arm64), as their memory then is the record's bytes.
public struct RecordBytes: Sendable {
    private enum Storage: Sendable {
        case bytes([UInt8])
        case float32([Float])
    }

    private let storage: Storage

    public init(_ bytes: [UInt8]) {
        storage = .bytes(bytes)
    }

    /// float32 values as a little-endian record stores them.
    public init(littleEndianFloat32 values: [Float]) {
        #if _endian(big)
            storage = .bytes(FloatingPointBytes.encodeFloat32(values))
        #else
            storage = .float32(values)
        #endif
    }

    public var count: Int {
        switch storage {
        case .bytes(let bytes): return bytes.count
        case .float32(let values): return values.count * 4
        }
    }

    /// The bytes as an array: the held one, or a copy of the float32 values' bytes.
    public var array: [UInt8] {
        switch storage {
        case .bytes(let bytes): return bytes
        case .float32(let values): return FloatingPointBytes.encodeFloat32(values)
        }
    }

    /// The CRC-32 of the bytes, on the calling thread (see `CRC32.serialChecksum`).
    func serialChecksum() -> UInt32 {
        switch storage {
        case .bytes(let bytes): return CRC32.serialChecksum(bytes[...], initial: 0)
        case .float32(let values): return CRC32.checksum(littleEndianFloat32: values)
        }
    }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case .bytes(let bytes): return try bytes.withUnsafeBytes(body)
        case .float32(let values): return try values.withUnsafeBytes(body)
        }
    }
}
