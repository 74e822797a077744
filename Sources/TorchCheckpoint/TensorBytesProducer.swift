import CheckpointContainers

/// Supplies one tensor's elements, row-major and little-endian, in bounded chunks, when a writer reaches it:
/// a contiguous copy is read straight from the input in slices, a strided one is gathered, a computed one is
/// produced on demand. Used for safetensors, which stores each tensor on its own.
final class TensorBytesProducer: ZipRecordProducer {
    private let tensor: TorchTensor
    private let storage: DraftStorage
    private let name: String
    private let computed: (any ComputedTensorSource)?
    private let meter: ProgressMeter
    private var position = 0
    private var finished = false

    init(tensor: TorchTensor, storage: DraftStorage, name: String, computed: (any ComputedTensorSource)?, meter: ProgressMeter) {
        self.tensor = tensor
        self.storage = storage
        self.name = name
        self.computed = computed
        self.meter = meter
    }

    func nextChunk() throws -> [UInt8]? {
        guard !finished else { return nil }
        let chunk: [UInt8]
        switch storage.content {
        case .copy(let checkpoint, let source) where tensor.isContiguous:
            let count = min(8 << 20, tensor.byteCount - position)
            var slice = try checkpoint.rawBytes(
                of: source, offset: tensor.storageOffset * tensor.dtype.elementSize + position, count: count)
            if checkpoint.format.isBigEndian { ByteSwap.swapElements(&slice, dtype: tensor.dtype) }
            chunk = slice
        case .copy(let checkpoint, _):
            chunk = try checkpoint.contiguousBytes(of: tensor)
        case .computed(let id):
            guard let computed else { preconditionFailure("a draft with computed tensors is written with their source") }
            chunk = try computedBytes { try computed.bytes(of: id) }
        case .inline(let bytes):
            chunk = Self.rowMajor(bytes.array, tensor)
        }
        position += chunk.count
        finished = position >= tensor.byteCount
        meter.advance(by: chunk.count)
        return chunk
    }

    /// A computed storage is produced whole; its tensor is the whole storage (``CheckpointDraft`` makes them so).
    private func computedBytes(_ produce: () throws -> RecordBytes) throws -> [UInt8] {
        let bytes = try produce().array
        guard bytes.count == storage.byteCount else {
            throw CheckpointError.Reason.sizeMismatch(
                what: "computed tensor \(name)", expected: UInt64(storage.byteCount), actual: UInt64(bytes.count))
        }
        precondition(
            tensor.isContiguous && tensor.storageOffset == 0 && tensor.byteCount == bytes.count,
            "computed tensors cover their whole storage")
        return bytes
    }

    /// The elements of `tensor` over `storage` in row-major order (a converted Fortran-order array is stored
    /// column-major; safetensors holds contiguous tensors).
    static func rowMajor(_ storage: [UInt8], _ tensor: TorchTensor) -> [UInt8] {
        if tensor.isContiguous && tensor.storageOffset == 0 { return Array(storage.prefix(tensor.byteCount)) }
        let size = tensor.dtype.elementSize
        var result: [UInt8] = []
        result.reserveCapacity(tensor.byteCount)
        for index in 0..<tensor.elementCount {
            var remaining = index
            var offset = tensor.storageOffset
            for axis in tensor.shape.indices.reversed() {
                offset += (remaining % tensor.shape[axis]) * tensor.strides[axis]
                remaining /= tensor.shape[axis]
            }
            result += storage[offset * size..<(offset + 1) * size]
        }
        return result
    }
}
