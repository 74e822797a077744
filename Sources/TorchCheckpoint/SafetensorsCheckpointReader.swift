import CheckpointContainers
import PickleMachine

/// Reads a safetensors file into the same model a pickled state dict gives: a root `OrderedDict` of
/// `_rebuild_tensor_v2` calls (`_v3` for the dtypes without a typed storage class), one storage per tensor
/// whose bytes are the tensor's range of the file. Inspection, detection, merging and verification then
/// work on it unchanged. `__metadata__` stays in ``CheckpointFormat/safetensors`` (it is not a tensor, and
/// a state dict holding it would not load into a model).
enum SafetensorsCheckpointReader {
    /// The file name extension torch users give safetensors files.
    static let fileExtension = ".safetensors"

    static func open(path: String, file: FileReader, limits: CheckpointLimits) throws -> Checkpoint {
        let header = try SafetensorsReader.readHeader(file, limits: safetensorsLimits(limits))
        var format = CheckpointFormat(kind: .safetensors)
        format.safetensors = header
        let unpickled = tree(of: header)
        let interpreter = try CheckpointUnpickling.interpret(unpickled, limits: limits)
        var storages: [String: TorchStorage] = [:]
        for (index, info) in header.tensors.enumerated() {
            let key = String(index)
            guard let declaration = interpreter.declarations[key] else {
                preconditionFailure("every tensor of the built tree declares its storage")
            }
            storages[key] = TorchStorage(
                key: key, dtype: declaration.dtype, elementCount: declaration.elementCount, byteCount: Int(info.byteCount),
                location: declaration.location, isUntyped: declaration.isUntyped,
                source: .fileRange(offset: header.dataOffset + info.begin))
        }
        return try Checkpoint(
            path: path, format: format, unpickled: unpickled, interpreter: interpreter, storages: storages,
            bytes: StorageBytes(file: file, archive: nil), limits: limits)
    }

    /// The checkpoint's bounds, applied to the header.
    static func safetensorsLimits(_ limits: CheckpointLimits) -> SafetensorsLimits {
        var result = SafetensorsLimits.standard
        result.maxTensors = limits.maxStorages
        result.maxDimensions = limits.maxDimensions
        return result
    }

    /// The value tree torch would unpickle for `OrderedDict(name -> tensor)` in header order; tensor `i`
    /// views storage `"i"` from its start.
    static func tree(of header: SafetensorsHeader) -> UnpickleResult {
        var graph = PickleGraph()
        var entries: [PickleDictEntry] = []
        for (index, info) in header.tensors.enumerated() {
            let dtype = TorchDType(safetensors: info.dtype)
            let call =
                dtype.storageClassName != nil
                ? TensorPickling.rebuildCall(
                    in: &graph, storageKey: String(index), dtype: dtype, storageElements: info.shape.reduce(1, *),
                    shape: info.shape)
                : TensorPickling.rebuildCallV3(in: &graph, storageKey: String(index), dtype: dtype, shape: info.shape)
            entries.append(PickleDictEntry(key: .string(info.name), value: call))
        }
        let root = graph.add(PickleNode(kind: .dict(ordered: true), entries: entries))
        return UnpickleResult(graph: graph, root: root, endOffset: 0, protocolVersion: 0, globals: [])
    }
}
