/// A tensor to be written to a safetensors file: its header entry and the producer of its bytes
/// (row-major, little-endian, exactly `numel * element size` of them).
public struct SafetensorsOutputTensor {
    /// The header key (unique in a file).
    public let name: String
    /// Element type.
    public let dtype: SafetensorsDType
    /// Sizes, row-major.
    public let shape: [Int]
    /// Pulled once, when ``SafetensorsWriter/write()`` reaches the tensor.
    public let producer: ZipRecordProducer

    /// A tensor entry; `shape` holds non-negative sizes.
    public init(name: String, dtype: SafetensorsDType, shape: [Int], producer: ZipRecordProducer) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor sizes are non-negative")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.producer = producer
    }
}

/// Writes a new safetensors file laid out as the reference implementation lays it out: tensors sorted by
/// descending dtype alignment, then by name (byte order), packed back to back, so every tensor starts on a
/// multiple of its element size; the header padded with spaces to a multiple of 8.
///
/// The layout (and so the header) is fixed when the writer is made; `write()` then pulls each producer in
/// the order the tensors were given (which may differ from the file order: a caller computing tensors in a
/// pipeline asks for them in its own order) and writes its bytes at the tensor's offset. The file is
/// created exclusively and removed if anything fails; callers wanting an atomic replacement write to a
/// temporary path and rename it, as with ``ZipArchiveWriter``.
public final class SafetensorsWriter {
    /// The file to create.
    public let path: String
    /// The header as it will be written: tensors in data order.
    public let header: SafetensorsHeader
    private let headerBytes: [UInt8]
    private let tensors: [SafetensorsOutputTensor]
    private let placements: [Int]

    /// Lays the file out; throws on duplicate names, size overflow or a header above the limit.
    public init(
        path: String, tensors: [SafetensorsOutputTensor], metadata: [SafetensorsMetadataEntry]?,
        limits: SafetensorsLimits = .standard
    ) throws {
        self.path = path
        self.tensors = tensors
        func problem(_ problem: SafetensorsProblem) -> ContainerError { .invalidSafetensors(path: path, problem: problem) }
        var names = Set<String>()
        for tensor in tensors where !names.insert(tensor.name).inserted { throw problem(.duplicateTensorName(tensor.name)) }
        let order = tensors.indices.sorted { Self.precedes(tensors[$0], tensors[$1]) }
        var infos: [SafetensorsTensorInfo] = []
        var slot = [Int](repeating: 0, count: tensors.count)
        var offset: UInt64 = 0
        for index in order {
            let tensor = tensors[index]
            guard let size = Self.byteCount(tensor), case (let end, false) = offset.addingReportingOverflow(size) else {
                throw problem(.sizeOverflow(tensor: tensor.name))
            }
            slot[index] = infos.count
            infos.append(
                SafetensorsTensorInfo(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, begin: offset, end: end))
            offset = end
        }
        let json = SafetensorsHeaderText.json(tensors: infos, metadata: metadata)
        guard json.count <= limits.maxHeaderBytes else {
            throw problem(.headerTooLarge(length: UInt64(json.count), limit: limits.maxHeaderBytes))
        }
        header = SafetensorsHeader(length: UInt64(json.count), tensors: infos, metadata: metadata)
        headerBytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * $0)) } + json
        placements = slot
    }

    /// Dtype alignment descending, then name in byte order: the reference's layout order.
    static func precedes(_ a: SafetensorsOutputTensor, _ b: SafetensorsOutputTensor) -> Bool {
        if a.dtype.layoutRank != b.dtype.layoutRank { return a.dtype.layoutRank > b.dtype.layoutRank }
        return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }

    static func byteCount(_ tensor: SafetensorsOutputTensor) -> UInt64? {
        var count = UInt64(tensor.dtype.elementSize)
        for size in tensor.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: UInt64(size))
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Creates the file and writes the header, then every tensor's bytes as its producer supplies them.
    /// A producer's error is rethrown unchanged; on any error no file is left at ``path``.
    public func write() throws {
        let file = try PosixOutputFile(creating: path)
        do {
            try file.write(headerBytes, range: 0..<headerBytes.count, at: 0)
            for (index, tensor) in tensors.enumerated() {
                try write(tensor, info: header.tensors[placements[index]], to: file)
            }
            try file.close()
        } catch {
            try? file.close()
            removeFileIfPresent(path)
            throw error
        }
    }

    private func write(_ tensor: SafetensorsOutputTensor, info: SafetensorsTensorInfo, to file: PosixOutputFile) throws {
        var written: UInt64 = 0
        while let chunk = try tensor.producer.nextChunk() {
            guard !chunk.isEmpty else { continue }
            guard written + UInt64(chunk.count) <= info.byteCount else {
                throw ContainerError.invalidSafetensors(
                    path: path,
                    problem: .producedSizeMismatch(
                        tensor: tensor.name, expected: info.byteCount, actual: written + UInt64(chunk.count)))
            }
            try file.write(chunk, range: 0..<chunk.count, at: header.dataOffset + info.begin + written)
            written += UInt64(chunk.count)
        }
        guard written == info.byteCount else {
            throw ContainerError.invalidSafetensors(
                path: path, problem: .producedSizeMismatch(tensor: tensor.name, expected: info.byteCount, actual: written))
        }
    }
}
