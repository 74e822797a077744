import CheckpointContainers

/// A float32 tensor read in consecutive runs into one reusable buffer, its zip record's CRC-32 checked run
/// by run and compared when the last value is in.
///
/// A merge folds a weight a few output channels at a time while they sit in cache; reading the record whole
/// first would send each branch (9.4 MB for a 512 x 512 x 3 x 3 layer) through memory once more, and keep it.
public struct Float32TensorRuns {
    private let checkpoint: Checkpoint
    private let source: StorageSource
    private let expected: UInt32
    private let record: String
    /// Values in the tensor.
    public let count: Int
    /// Values read so far.
    public private(set) var position = 0
    private var crc: UInt32 = 0

    fileprivate init(checkpoint: Checkpoint, source: StorageSource, expected: UInt32, record: String, count: Int) {
        self.checkpoint = checkpoint
        self.source = source
        self.expected = expected
        self.record = record
        self.count = count
    }

    /// Reads the next `values` values into `buffer[0..<values]`. The run that ends the tensor throws if the
    /// record's CRC-32 does not match what was read: nothing read may be trusted before that run returns.
    public mutating func read(_ values: Int, into buffer: inout [Float]) throws {
        precondition(values >= 0 && values <= count - position && values <= buffer.count, "a run inside the tensor")
        do {
            guard try checkpoint.bytes.readFloat32(source, offset: position * 4, into: &buffer, count: values) else {
                preconditionFailure("float32Runs(of:) only reads records stored in the file as they are")
            }
        } catch {
            throw checkpoint.wrap(error)
        }
        crc = CRC32.checksum(littleEndianFloat32: buffer[0..<values], initial: crc)
        position += values
        if position == count, crc != expected {
            throw checkpoint.wrap(
                ContainerError.crcMismatch(path: checkpoint.bytes.path, record: record, expected: expected, actual: crc))
        }
    }
}

extension Checkpoint {
    /// `tensor`'s values in runs, when they are exactly a stored zip record read straight from the file (the
    /// record ``recordCheckedOnRead(_:)`` names, on a little-endian host); nil when they are read otherwise.
    public func float32Runs(of tensor: TorchTensor) -> Float32TensorRuns? {
        #if _endian(little)
            guard let (source, crc, record) = wholeRecord(of: tensor) else { return nil }
            return Float32TensorRuns(
                checkpoint: self, source: source, expected: crc, record: record, count: tensor.elementCount)
        #else
            return nil
        #endif
    }
}
