import CheckpointContainers

/// Refuses a compressed record that declares more bytes than its compressed bytes can produce.
///
/// Deflate turns at most about 1032 bytes out of one compressed byte (a run of 258 bytes per 2 bits), so a
/// storage record that claims 3 GiB from 1 MiB is lying: reading it would fail only after a reader had
/// allocated or streamed what the header promised. torch itself only writes stored records.
enum CompressionBound {
    /// Deflate's largest expansion per compressed byte, rounded up.
    static let maxDeflateRatio: UInt64 = 1032
    /// Slack for the stream's own framing (block headers, a final partial byte).
    static let slack: UInt64 = 1 << 16

    static func check(_ record: ZipRecord) throws {
        guard record.compression != .stored else { return }
        let (bound, overflow) = record.compressedSize.multipliedReportingOverflow(by: maxDeflateRatio)
        guard !overflow, record.size > bound + slack else { return }
        throw CheckpointError.Reason.malformed(
            what: "record \(record.name)",
            detail:
                "it declares \(record.size) bytes from \(record.compressedSize) compressed bytes, more than deflate can produce")
    }
}
