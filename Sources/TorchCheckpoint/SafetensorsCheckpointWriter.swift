import CheckpointContainers
import PickleMachine

/// Writes a draft as a safetensors file: the state dict that holds the network (see ``SafetensorsContent``),
/// each tensor contiguous under its dotted name, tensors that shared storage as separate copies (safetensors
/// has no sharing), the tree's strings and numbers plus the input's own `__metadata__` as metadata (with
/// `"format": "pt"` as `safetensors.torch.save_model` and transformers write it, when there is any), and a
/// report of everything left out.
///
/// Like ``CheckpointWriter``, the file is built under a temporary name beside the destination and takes its
/// name only when committed; tensors are pulled in tree order (the order a merge pipeline folds them in)
/// and written at their offsets, so nothing but one tensor's chunk is in memory at a time.
public enum SafetensorsCheckpointWriter {
    /// Writes and commits in one step.
    public static func write(
        _ draft: CheckpointDraft, computed: (any ComputedTensorSource)? = nil, to destination: String,
        options: CheckpointWriteOptions = .init(), stateDictPath: [String]? = nil
    ) throws -> (CheckpointWriteSummary, SafetensorsWriteReport) {
        let (pending, report) = try writePending(
            draft, computed: computed, to: destination, options: options, stateDictPath: stateDictPath)
        try pending.commit()
        return (pending.summary, report)
    }

    /// Writes the file under a temporary name beside `destination`; commit or discard the result.
    /// `stateDictPath` names the dict to write; by default it is chosen as ``SafetensorsContent`` describes.
    /// `computed` supplies the bytes of the draft's computed tensors as the writer reaches them.
    public static func writePending(
        _ draft: CheckpointDraft, computed: (any ComputedTensorSource)? = nil, to destination: String,
        options: CheckpointWriteOptions = .init(), stateDictPath: [String]? = nil
    ) throws -> (PendingCheckpoint, SafetensorsWriteReport) {
        if !options.replaceExisting, OutputPlacement.exists(destination) {
            throw CheckpointError(path: destination, .writeFailed("the file already exists (use --force to replace it)"))
        }
        let temporary = OutputPlacement.temporaryPath(beside: destination)
        do {
            let content = try SafetensorsContent(tree(of: draft, limits: options.limits), stateDictPath: stateDictPath)
            let total = content.tensors.reduce(0) { $0 + $1.tensor.byteCount }
            let meter = ProgressMeter(total: total, report: options.progress)
            let tensors = try content.tensors.map { name, tensor in
                try outputTensor(name: name, tensor: tensor, draft: draft, computed: computed, meter: meter)
            }
            let writer = try SafetensorsWriter(
                path: temporary, tensors: tensors, metadata: metadata(draft.safetensorsMetadata, content.metadata))
            try writer.write()
            let summary = CheckpointWriteSummary(path: destination, storages: tensors.count, storageBytes: total)
            let pending = PendingCheckpoint(
                temporaryPath: temporary, destination: destination, replaceExisting: options.replaceExisting, summary: summary)
            return (pending, content.report)
        } catch {
            OutputPlacement.remove(temporary)
            throw CheckpointWriter.wrap(error, destination, temporary: temporary)
        }
    }

    /// The draft's tree with its tensors interpreted (a draft is a value tree plus storages, not yet a checkpoint).
    static func tree(of draft: CheckpointDraft, limits: CheckpointLimits) throws -> SafetensorsContent.Tree {
        let unpickled = UnpickleResult(graph: draft.graph, root: draft.root, endOffset: 0, protocolVersion: 0, globals: [])
        let interpreter = try CheckpointUnpickling.interpret(unpickled, limits: limits, decodingData: false)
        let leaves = PickleNodeSet(
            interpreter.tensors.keys + interpreter.unsupportedTensors.keys, nodeCount: draft.graph.nodeCount)
        let walker = CheckpointPathWalker(graph: draft.graph, leaves: leaves, maxDepth: limits.maxDepth)
        let computed = draft.storages.addedKeys { if case .computed = $0 { return true } else { return false } }
        let inline = draft.storages.addedKeys { if case .inline = $0 { return true } else { return false } }
        return SafetensorsContent.Tree(
            graph: draft.graph, entries: try walker.entries(from: draft.root), tensors: interpreter.tensors,
            unsupported: interpreter.unsupportedTensors, computedKeys: computed, inlineKeys: inline)
    }

    private static func outputTensor(
        name: String, tensor: TorchTensor, draft: CheckpointDraft, computed: (any ComputedTensorSource)?, meter: ProgressMeter
    ) throws -> SafetensorsOutputTensor {
        guard let dtype = tensor.dtype.safetensorsDType else {
            throw CheckpointError.Reason.writeFailed("tensor \(name) has dtype \(tensor.dtype), which safetensors cannot hold")
        }
        guard let storage = draft.storages[tensor.storageKey] else {
            throw CheckpointError.Reason.missingRecord("storage \(tensor.storageKey) of the draft")
        }
        let producer = TensorBytesProducer(tensor: tensor, storage: storage, name: name, computed: computed, meter: meter)
        return SafetensorsOutputTensor(name: name, dtype: dtype, shape: tensor.shape, producer: producer)
    }

    /// The input's metadata, then the tree's scalars (which win on equal keys), sorted by key; `format: pt`
    /// added when there is any metadata and no format (transformers refuses metadata without one). Nil when
    /// there is nothing and the input had no `__metadata__` either, as `save_file` writes it.
    static func metadata(_ carried: [SafetensorsMetadataEntry]?, _ fromTree: [SafetensorsMetadataEntry])
        -> [SafetensorsMetadataEntry]?
    {
        var values: [String: String] = [:]
        for entry in (carried ?? []) + fromTree { values[entry.key] = entry.value }
        if values.isEmpty { return carried == nil ? nil : [] }
        if values["format"] == nil { values["format"] = "pt" }
        return values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
            SafetensorsMetadataEntry(key: $0, value: values[$0]!)
        }
    }
}
