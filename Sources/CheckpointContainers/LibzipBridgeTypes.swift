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

/// An `ArchiveSink` with the libzip error codes its callback last reported (for `ZIP_SOURCE_ERROR`).
final class SinkContext {
    let sink: ArchiveSink
    var zipError: Int32 = 0
    var systemError: Int32 = 0

    init(sink: ArchiveSink) {
        self.sink = sink
    }

    /// Notes an error for libzip's next `ZIP_SOURCE_ERROR` and returns -1.
    func fail(_ zipError: Int32, _ systemError: Int32 = 0) -> Int64 {
        self.zipError = zipError
        self.systemError = systemError
        return -1
    }
}
