/// How a record's bytes are stored in the archive.
public enum ZipCompression: Equatable, Sendable {
    /// Method 0: the bytes as they are (what torch writes, and what allows direct reads).
    case stored
    /// Method 8: raw deflate (TorchScript code records, archives from other tools).
    case deflated
    /// Any other method number; such records are listed but cannot be read.
    case other(UInt16)

    /// The compression of a zip method number.
    init(method: UInt16) {
        switch method {
        case 0: self = .stored
        case 8: self = .deflated
        default: self = .other(method)
        }
    }

    /// The zip method number.
    public var method: UInt16 {
        switch self {
        case .stored: return 0
        case .deflated: return 8
        case .other(let method): return method
        }
    }
}

/// One record of a zip archive, as its central directory and local header describe it.
public struct ZipRecord: Equatable, Sendable {
    /// Position in central-directory order, from 0.
    public let index: Int
    /// The record name, exactly as stored (UTF-8), e.g. `archive/data/0`.
    public let name: String
    /// Size of the record's uncompressed bytes.
    public let size: UInt64
    /// Size of the record's bytes in the file.
    public let compressedSize: UInt64
    /// How the bytes are stored.
    public let compression: ZipCompression
    /// CRC-32 of the uncompressed bytes, as recorded in the central directory.
    public let crc32: UInt32
    /// File offset of the record's local header.
    public let headerOffset: UInt64
    /// Absolute file offset of the record's bytes when `compression == .stored`, else `nil`.
    ///
    /// Lets the layers above read stored records with plain positioned reads, and lets tests
    /// check torch's 64-byte alignment. `nil` for compressed records so that nobody reads
    /// compressed bytes as if they were data.
    public internal(set) var dataOffset: UInt64?

    /// A record with every field given.
    public init(
        index: Int, name: String, size: UInt64, compressedSize: UInt64, compression: ZipCompression,
        crc32: UInt32, headerOffset: UInt64, dataOffset: UInt64?
    ) {
        self.index = index
        self.name = name
        self.size = size
        self.compressedSize = compressedSize
        self.compression = compression
        self.crc32 = crc32
        self.headerOffset = headerOffset
        self.dataOffset = dataOffset
    }
}

/// Bounds applied to an untrusted archive before anything is allocated for it.
public struct ZipLimits: Equatable, Sendable {
    /// Most records accepted. Torch writes one record per storage plus about six.
    public var maxRecords: Int
    /// Most bytes of central directory read into memory.
    public var maxCentralDirectoryBytes: Int

    /// Limits given explicitly.
    public init(maxRecords: Int, maxCentralDirectoryBytes: Int) {
        precondition(maxRecords >= 0 && maxCentralDirectoryBytes >= 0, "limits must not be negative")
        self.maxRecords = maxRecords
        self.maxCentralDirectoryBytes = maxCentralDirectoryBytes
    }

    /// One million records and 64 MiB of central directory: far above any real checkpoint,
    /// low enough that a hostile directory cannot exhaust memory (libzip keeps about
    /// 200 bytes per entry as well).
    public static let standard = ZipLimits(maxRecords: 1 << 20, maxCentralDirectoryBytes: 64 << 20)
}
