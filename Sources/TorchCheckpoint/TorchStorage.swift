/// One storage of a checkpoint: a flat run of elements that tensors view.
///
/// Tensors that share a storage (tied weights, views, transposes, slices) refer to the same key, which is
/// how sharing survives a read-merge-write cycle.
public struct TorchStorage: Sendable, Equatable {
    /// The key the file uses (`"0"` in zip files of torch 2.x, a decimal pointer in older files).
    public let key: String
    /// Element type of the storage; `uint8` for an `UntypedStorage`, whose tensors carry their own dtype.
    public let dtype: TorchDType
    /// Element count as the persistent id states it.
    public let elementCount: Int
    /// `elementCount * dtype.elementSize`, checked for overflow when the storage was read.
    public let byteCount: Int
    /// The device the storage was saved from (`cpu`, `cuda:0`, ...); everything is read on the CPU.
    public let location: String
    /// Whether the file stored it through `UntypedStorage` (torch's newer dtypes).
    public let isUntyped: Bool
    /// Where its bytes are in the file.
    public let source: StorageSource

    public init(
        key: String, dtype: TorchDType, elementCount: Int, byteCount: Int, location: String, isUntyped: Bool,
        source: StorageSource
    ) {
        self.key = key
        self.dtype = dtype
        self.elementCount = elementCount
        self.byteCount = byteCount
        self.location = location
        self.isUntyped = isUntyped
        self.source = source
    }
}

/// Where a storage's bytes live.
public enum StorageSource: Sendable, Hashable {
    /// A zip record (`<prefix>/data/<key>`), by its full name in the archive.
    case zipRecord(name: String)
    /// A byte range of the file itself (legacy format: right after the storage's int64 element count).
    case fileRange(offset: UInt64)
}
