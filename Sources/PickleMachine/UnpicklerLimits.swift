/// The bounds of ``UnpicklerLimits``, named in ``PickleError/limitExceeded(_:value:offset:)``.
public enum UnpicklerLimit: String, Sendable, Equatable, CaseIterable {
    /// ``UnpicklerLimits/maxStackSize``.
    case stackSize = "stack size"
    /// ``UnpicklerLimits/maxMarkDepth``.
    case markDepth = "mark depth"
    /// ``UnpicklerLimits/maxMemoEntries``.
    case memoEntries = "memo entries"
    /// ``UnpicklerLimits/maxNodeCount``.
    case nodeCount = "node count"
    /// ``UnpicklerLimits/maxContainerItems``.
    case containerItems = "items per container"
    /// ``UnpicklerLimits/maxTotalItems``.
    case totalItems = "total items"
    /// ``UnpicklerLimits/maxNestingDepth``.
    case nestingDepth = "nesting depth"
    /// ``UnpicklerLimits/maxStringLength``.
    case stringLength = "string length"
    /// ``UnpicklerLimits/maxFrameLength``.
    case frameLength = "frame length"
    /// ``UnpicklerLimits/maxIntegerBytes``.
    case integerBytes = "integer bytes"
}

/// Bounds on everything a hostile pickle could make the unpickler allocate or nest.
///
/// The defaults are sized for real checkpoints: the `data.pkl` of a 100k-tensor checkpoint is about
/// 20 MB, about 1M nodes and 2M items, and nests fewer than 50 levels. They also keep the worst case
/// of a hostile 20 MB pickle to about a gigabyte of memory. Raise them for unusual but trusted input.
public struct UnpicklerLimits: Sendable, Equatable {
    /// Items on the stack at once (all marks together).
    public var maxStackSize: Int
    /// Marks open at once.
    public var maxMarkDepth: Int
    /// Distinct memo indices.
    public var maxMemoEntries: Int
    /// Nodes in the graph (containers, objects, globals, persistent ids).
    public var maxNodeCount: Int
    /// Items or entries of one container, object or tuple.
    public var maxContainerItems: Int
    /// Items and entries of all containers together, which also bounds what data constructors copy.
    public var maxTotalItems: Int
    /// Containers nested in containers. Checked when a node is built or mutated and, exactly, at STOP.
    public var maxNestingDepth: Int
    /// Bytes of one string or bytes value (or text line).
    public var maxStringLength: Int
    /// Length a FRAME may announce (CPython writes frames of about 64 KiB).
    public var maxFrameLength: Int
    /// Two's complement bytes of one integer (LONG1, LONG4, and INT/LONG text); Python itself refuses
    /// decimal text longer than 4300 digits, about 1800 bytes.
    public var maxIntegerBytes: Int

    /// Creates limits; omitted values take the ``standard`` defaults. `maxNodeCount` and
    /// `maxNestingDepth` must stay below 2^31 (the unpickler traps on such a configuration).
    public init(
        maxStackSize: Int = 8_000_000, maxMarkDepth: Int = 10_000, maxMemoEntries: Int = 8_000_000,
        maxNodeCount: Int = 8_000_000, maxContainerItems: Int = 8_000_000, maxTotalItems: Int = 32_000_000,
        maxNestingDepth: Int = 1000, maxStringLength: Int = 1 << 30, maxFrameLength: Int = 1 << 26,
        maxIntegerBytes: Int = 2048
    ) {
        self.maxStackSize = maxStackSize
        self.maxMarkDepth = maxMarkDepth
        self.maxMemoEntries = maxMemoEntries
        self.maxNodeCount = maxNodeCount
        self.maxContainerItems = maxContainerItems
        self.maxTotalItems = maxTotalItems
        self.maxNestingDepth = maxNestingDepth
        self.maxStringLength = maxStringLength
        self.maxFrameLength = maxFrameLength
        self.maxIntegerBytes = maxIntegerBytes
    }

    /// The defaults described above.
    public static let standard = UnpicklerLimits()

    /// The bound for `limit`.
    public func value(of limit: UnpicklerLimit) -> Int {
        switch limit {
        case .stackSize: return maxStackSize
        case .markDepth: return maxMarkDepth
        case .memoEntries: return maxMemoEntries
        case .nodeCount: return maxNodeCount
        case .containerItems: return maxContainerItems
        case .totalItems: return maxTotalItems
        case .nestingDepth: return maxNestingDepth
        case .stringLength: return maxStringLength
        case .frameLength: return maxFrameLength
        case .integerBytes: return maxIntegerBytes
        }
    }
}
