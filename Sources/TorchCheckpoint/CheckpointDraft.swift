import CheckpointContainers
import PickleMachine

/// A checkpoint to be written: a value tree whose persistent ids name storages, and the source of each
/// storage's bytes.
///
/// A draft starts as a copy of an input checkpoint (so everything passes through unchanged); callers then
/// replace parts of the tree and add computed tensors. Nothing is read or computed until the writer asks.
public struct CheckpointDraft: Sendable {
    public var graph: PickleGraph
    public var root: PickleValue
    /// Storages by the key their persistent ids use in ``graph``.
    public private(set) var storages: DraftStorages
    /// The input's safetensors `__metadata__` (nil if it had none): a safetensors output carries it over.
    public var safetensorsMetadata: [SafetensorsMetadataEntry]?

    /// A draft that writes `checkpoint` back as it is.
    public init(copying checkpoint: Checkpoint) {
        self.init(checkpoint, graph: checkpoint.graph)
    }

    /// The same, taking the checkpoint's tree instead of sharing it (see ``Checkpoint/handOverGraph()``): the
    /// draft's edits then change the graph in place instead of copying it first.
    package init(takingGraphOf checkpoint: Checkpoint) {
        self.init(checkpoint, graph: checkpoint.handOverGraph())
    }

    private init(_ checkpoint: Checkpoint, graph: PickleGraph) {
        self.graph = graph
        root = checkpoint.root
        storages = DraftStorages(copying: checkpoint)
        safetensorsMetadata = checkpoint.format.safetensors?.metadata
    }

    /// Adds a contiguous tensor whose bytes the writer asks its ``ComputedTensorSource`` for, by `id`, when it
    /// reaches the storage, and returns the `_rebuild_tensor_v2` call that rebuilds it, to be placed in the tree.
    public mutating func addComputedTensor(_ id: ComputedTensorID, dtype: TorchDType, shape: [Int]) -> PickleValue {
        precondition(dtype.storageClassName != nil, "computed tensors are of the classic dtypes (float32, ...)")
        let count = shape.reduce(1, *)
        let key = storages.add(DraftStorage(dtype: dtype, elementCount: count, isUntyped: false, content: .computed(id)))
        return TensorPickling.rebuildCall(
            in: &graph, storageKey: key, dtype: dtype, storageElements: count, shape: shape)
    }

    /// Adds a tensor of any dtype over `bytes` (little-endian elements laid out by `strides`, which cover them
    /// exactly), as `torch.save` writes one: a typed storage and `_rebuild_tensor_v2`, or for the dtypes without
    /// a typed storage class an `UntypedStorage` and `_rebuild_tensor_v3`. Returns the rebuild call.
    public mutating func addInlineTensor(dtype: TorchDType, shape: [Int], strides: [Int], bytes: [UInt8]) -> PickleValue {
        let record = RecordBytes(bytes)
        let typed = dtype.storageClassName != nil
        let count = typed ? bytes.count / dtype.elementSize : bytes.count
        let key = storages.add(
            DraftStorage(dtype: typed ? dtype : .uint8, elementCount: count, isUntyped: !typed, content: .inline(record)))
        if typed {
            return TensorPickling.rebuildCall(
                in: &graph, storageKey: key, dtype: dtype, storageElements: count, shape: shape, strides: strides)
        }
        return TensorPickling.rebuildCallV3(in: &graph, storageKey: key, dtype: dtype, shape: shape, strides: strides)
    }
}

/// One storage of a draft: its declaration and where its bytes come from.
public struct DraftStorage: Sendable {
    public let dtype: TorchDType
    public let elementCount: Int
    public let isUntyped: Bool
    public let content: Content

    public enum Content: Sendable {
        /// The storage of an input checkpoint, copied as it is (byte-swapped if the input is big-endian).
        case copy(Checkpoint, TorchStorage)
        /// Little-endian bytes computed while writing (exactly `elementCount * dtype.elementSize` of them), by
        /// the ``ComputedTensorSource`` the writer is given.
        case computed(ComputedTensorID)
        /// Little-endian bytes decoded from the input's pickle (a numpy array), laid out as their tensor's strides say.
        case inline(RecordBytes)
    }

    public var byteCount: Int { elementCount * dtype.elementSize }
}
