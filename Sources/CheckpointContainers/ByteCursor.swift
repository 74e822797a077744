/// Reads little-endian integers and byte runs from a buffer that was read from a file,
/// throwing (never trapping) when a read would pass the end of the buffer.
///
/// `fileOffset` is the file position of `bytes[0]`, so errors can name real file offsets.
struct ByteCursor {
    let bytes: [UInt8]
    let fileOffset: UInt64
    private(set) var position: Int
    /// Builds the error for a read past the end; gets the file offset of the failed read.
    private let overrun: (UInt64) -> ContainerError

    init(bytes: [UInt8], fileOffset: UInt64, position: Int = 0, overrun: @escaping (UInt64) -> ContainerError) {
        precondition(position >= 0 && position <= bytes.count, "cursor start out of bounds")
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.position = position
        self.overrun = overrun
    }

    /// The file offset of the next byte to read.
    var currentFileOffset: UInt64 { fileOffset + UInt64(position) }
    /// Bytes left after the current position.
    var remaining: Int { bytes.count - position }

    /// Consumes `count` bytes and returns their start index in `bytes`.
    mutating func take(_ count: Int) throws -> Int {
        guard count >= 0, count <= remaining else { throw overrun(currentFileOffset) }
        let start = position
        position += count
        return start
    }

    /// The error a read would throw that runs past the end `count` bytes after the current position.
    func overrun(after count: Int) -> ContainerError {
        overrun(currentFileOffset + UInt64(count))
    }

    /// Reads a little-endian unsigned integer of `width` bytes (at most 8).
    mutating func uint(_ width: Int) throws -> UInt64 {
        precondition(width > 0 && width <= 8, "integer width")
        let start = try take(width)
        var value: UInt64 = 0
        for index in (0..<width).reversed() {
            value = value << 8 | UInt64(bytes[start + index])
        }
        return value
    }

    // The two widths zip headers are made of, read without the general loop: a central directory of
    // 40,000 records reads 440,000 of them.
    mutating func u16() throws -> UInt16 {
        let start = try take(2)
        return UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8
    }

    mutating func u32() throws -> UInt32 {
        let start = try take(4)
        return UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
            | UInt32(bytes[start + 3]) << 24
    }

    mutating func u64() throws -> UInt64 { try uint(8) }

    /// Reads `count` raw bytes.
    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        let start = try take(count)
        return bytes[start..<start + count]
    }

    /// Skips `count` bytes.
    mutating func skip(_ count: Int) throws {
        _ = try take(count)
    }
}
