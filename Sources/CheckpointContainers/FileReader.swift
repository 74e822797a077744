/// Positioned reads of a file (`pread`), every read checked against the file size.
///
/// Checkpoints are large and untrusted, so readers above this layer never map or load a whole
/// file: they ask for exact byte ranges. A range that is not inside the file is an error before
/// anything is allocated. Safe to use from several threads at once (no shared file cursor).
public final class FileReader: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The file size in bytes when it was opened.
    public let size: UInt64
    private let file: PosixFile

    /// Opens a regular file for reading.
    public init(path: String) throws {
        file = try PosixFile(path: path)
        self.path = path
        self.size = file.size
    }

    /// Reads exactly `count` bytes at `offset`, or throws.
    public func read(offset: UInt64, count: Int) throws -> [UInt8] {
        try checkRange(offset: offset, count: count)
        var bytes = [UInt8](repeating: 0, count: count)
        try file.read(offset: offset, into: &bytes, at: 0, count: count)
        return bytes
    }

    /// Reads exactly `count` bytes at `offset` into `buffer[index..<index+count]`, allocating nothing.
    ///
    /// The buffer range is the caller's own bookkeeping, so a bad one traps; the file range is
    /// data-dependent, so a bad one throws.
    public func read(offset: UInt64, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        precondition(index >= 0 && count >= 0 && index <= buffer.count - count, "buffer range out of bounds")
        try checkRange(offset: offset, count: count)
        try file.read(offset: offset, into: &buffer, at: index, count: count)
    }

    /// Reads `count` little-endian float32 values at `offset` straight into a `[Float]` (no byte array in
    /// between: tensor data is read in bulk).
    public func readFloat32(offset: UInt64, count: Int) throws -> [Float] {
        try checkRange(offset: offset, count: count * 4)
        let values = try file.readFloats(offset: offset, count: count)
        #if _endian(big)
            return values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #else
            return values
        #endif
    }

    /// Reads `count` little-endian float32 values at `offset` into `values[0..<count]`, allocating nothing:
    /// a tensor read in runs into one buffer.
    public func readFloat32(offset: UInt64, into values: inout [Float], count: Int) throws {
        try checkRange(offset: offset, count: count * 4)
        try file.readFloats(offset: offset, into: &values, count: count)
        #if _endian(big)
            for index in 0..<count { values[index] = Float(bitPattern: UInt32(littleEndian: values[index].bitPattern)) }
        #endif
    }

    /// Throws unless `offset ..< offset + count` lies inside the file.
    func checkRange(offset: UInt64, count: Int) throws {
        precondition(count >= 0, "negative read count")
        let (end, overflow) = offset.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= size else {
            throw ContainerError.readOutOfBounds(path: path, offset: offset, count: count, fileSize: size)
        }
    }
}
