// Plain Swift types exchanged with LibzipCalls.swift (the only file that imports libzip).

/// libzip's view of one entry, for cross-checking our own central-directory parser.
struct LibzipEntryInfo: Equatable {
    let nameBytes: [UInt8]
    let size: UInt64
    let compressedSize: UInt64
    let crc32: UInt32
    let method: UInt16
}

/// A libzip read failure inside a record's stream.
struct LibzipStreamFailure: Error {
    /// libzip's CRC check at the end of the stream failed.
    let isCRCError: Bool
    /// libzip's checks at the end of the stream (CRC, then size) failed: the stream ended.
    let isEndOfStreamCheck: Bool
    let message: String
}
