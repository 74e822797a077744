import PickleMachine

/// Bounds on what a checkpoint may declare, so sizes written in an untrusted file are never trusted.
/// The defaults pass any real checkpoint (hundreds of thousands of tensors, pickles of tens of MB).
public struct CheckpointLimits: Sendable {
    /// Largest `data.pkl` (or legacy object pickle) read into memory.
    public var maxPickleBytes: Int = 512 << 20
    /// Most storages one checkpoint may declare.
    public var maxStorages: Int = 4_000_000
    /// Most dimensions of one tensor.
    public var maxDimensions: Int = 64
    /// Largest tensor read into memory when it is bigger than its storage: a view with zero or overlapping
    /// strides repeats its storage's bytes, so a file of a few bytes could otherwise ask for gigabytes.
    public var maxExpandedTensorBytes: Int = 64 << 20
    /// Deepest nesting of the value tree.
    public var maxDepth: Int = 1000
    /// Bounds handed to the unpickler.
    public var unpickler: UnpicklerLimits = .standard

    public init() {}

    public static let standard = CheckpointLimits()
}
