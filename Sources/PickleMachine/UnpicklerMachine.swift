/// The state of one unpickling run: the stack, marks, memo and the graph being built.
///
/// One loop executes opcodes (``Unpickler``); nothing recurses, so hostile nesting cannot overflow the
/// call stack. Every growth is checked against ``UnpicklerLimits`` before it happens.
///
/// Helpers that opcodes call on every step are `mutating` though they only read: a non-mutating call from
/// a mutating method copies the whole machine (about 430 bytes) first, once per opcode.
struct UnpicklerMachine {
    var input: PickleInput
    let policy: UnpicklerPolicy
    let limits: UnpicklerLimits
    var graph = PickleGraph()
    /// Per node, beside the graph: depth, containment, and for globals their ``globalUses`` index.
    var tracking: [NodeTracking] = []
    /// Set when a node that is already inside another grows deeper, so that its ancestors' depths
    /// are stale (a chain built top-down through the memo): only then is the graph measured at STOP.
    var depthsMayBeStale = false
    /// Values as the graph stores them (``PickleSlot``): pushing, popping and memoizing count no references.
    var stack = UnpicklerStack()
    /// Stack heights at each open MARK; items below the topmost one are out of reach, as in CPython.
    var marks: [Int] = []
    var memo = PickleMemo()
    var protocolVersion = 0
    var totalItems = 0
    var globalUses: [PickleGlobalUse] = []
    /// The data constructor each entry of `globalUses` names, if any, found once.
    var constructors: [DataConstructor?] = []
    /// The policy's decision for each entry of `globalUses`, asked once.
    var allowed: [Bool?] = []
    /// Each entry of `globalUses` in the graph's global table, once a node names it.
    var globalNumbers: [Int32] = []
    var usageMasks: [UInt8] = []
    var globalUseIndex: [PickleGlobal: Int] = [:]
    /// One node per global, as one Python object per class.
    var globalNodes: [PickleGlobal: PickleNodeID] = [:]
    /// The one empty tuple, as Python's `()` is a singleton.
    var emptyTuple: PickleNodeID?
    var hashKeys = PickleHashKeys()
    /// Per dict (through its ``NodeTracking/slot``), where each key sits in `entries`, so a
    /// repeated key replaces the value in place.
    var dictIndexes: [DictKeyIndex] = []
    /// Per set (through its slot), the members present.
    var setIndexes: [Set<PickleHashKey>] = []
    /// The dicts built by `collections.defaultdict`, with their factory's name (see ``DefaultDictFactories``).
    var defaultDictFactories: [PickleNodeID: String] = [:]

    // The limits checked on every opcode, as plain values (reading them through `limits` copied the struct).
    let maxStackSize: Int
    let maxMemoEntries: Int
    let maxNodeCount: Int
    let maxNestingDepth: Int
    let maxContainerItems: Int
    let maxTotalItems: Int

    init(bytes: [UInt8], start: Int, policy: UnpicklerPolicy, limits: UnpicklerLimits) {
        self.input = PickleInput(bytes: bytes, position: start)
        self.policy = policy
        self.limits = limits
        maxStackSize = limits.maxStackSize
        maxMemoEntries = limits.maxMemoEntries
        maxNodeCount = limits.maxNodeCount
        maxNestingDepth = limits.maxNestingDepth
        maxContainerItems = limits.maxContainerItems
        maxTotalItems = limits.maxTotalItems
        // NodeTracking keeps depths and slots in 32 bits; limits beyond that could never be met in memory.
        precondition(limits.maxNodeCount <= Int(Int32.max) && limits.maxNestingDepth < Int(Int32.max), "limits beyond Int32")
        let expectedNodes = min(bytes.count / 16, limits.maxNodeCount)
        graph.records.reserveCapacity(expectedNodes)
        graph.slots.reserveCapacity(min(bytes.count / 4, limits.maxTotalItems))
        tracking.reserveCapacity(expectedNodes)
    }

    var opcode: PickleOpcode { input.opcode }
    var offset: Int { input.opcodeOffset }
    var fence: Int { marks.last ?? 0 }

    func limitExceeded(_ limit: UnpicklerLimit, _ value: Int) -> PickleError {
        .limitExceeded(limit, value: value, offset: offset)
    }

    // MARK: Stack

    @inline(__always)
    mutating func push(_ value: PickleSlot) throws {
        guard stack.count < maxStackSize else { throw limitExceeded(.stackSize, stack.count + 1) }
        stack.append(value)
    }

    /// Pushes a value that is not in the graph yet (strings and large scalars go into its tables).
    mutating func push(_ value: PickleValue) throws {
        try push(graph.slot(for: value))
    }

    @inline(__always)
    mutating func pop() throws -> PickleSlot {
        guard stack.count > fence else { throw PickleError.stackUnderflow(opcode: opcode, offset: offset) }
        return stack.removeLast()
    }

    /// The top `count` items, bottom first.
    mutating func pop(_ count: Int) throws -> [PickleSlot] {
        guard stack.count - count >= fence else { throw PickleError.stackUnderflow(opcode: opcode, offset: offset) }
        let items = stack.items(from: stack.count - count)
        stack.truncate(to: stack.count - count)
        return items
    }

    @inline(__always)
    mutating func top() throws -> PickleSlot {
        guard stack.count > fence, let value = stack.last else {
            throw PickleError.stackUnderflow(opcode: opcode, offset: offset)
        }
        return value
    }

    /// Replaces the top item (REDUCE's result takes its callable's place).
    mutating func replaceTop(with value: PickleSlot) {
        stack[stack.count - 1] = value
    }

    /// The items above the topmost mark, bottom first; the mark is removed.
    mutating func popMarked() throws -> [PickleSlot] {
        let mark = try popMark()
        let items = stack.items(from: mark)
        stack.truncate(to: mark)
        return items
    }

    /// Drops the items from `height` up.
    mutating func dropStack(to height: Int) {
        stack.truncate(to: height)
    }

    /// MARK.
    @inline(__always)
    mutating func pushMark() throws {
        guard marks.count < limits.maxMarkDepth else { throw limitExceeded(.markDepth, marks.count + 1) }
        marks.append(stack.count)
    }

    /// Removes the topmost mark and returns where it stood: the items above it are `stack[mark...]`, for the
    /// caller to use before it drops them (no copy).
    mutating func popMark() throws -> Int {
        guard let mark = marks.popLast() else { throw PickleError.missingMark(opcode: opcode, offset: offset) }
        return mark
    }

    // MARK: Nodes

    mutating func value(_ slot: PickleSlot) -> PickleValue {
        graph.value(of: slot)
    }

    mutating func depth(of value: PickleSlot) -> Int {
        guard value.isNode else { return 0 }
        return Int(tracking[value.index].depth)
    }

    /// Adds a node without items after checking the node count and its depth.
    mutating func addNode(_ kind: NodeKind, global: Int32 = -1, args: PickleSlot = .none) throws -> PickleSlot {
        guard graph.nodeCount < maxNodeCount else { throw limitExceeded(.nodeCount, graph.nodeCount + 1) }
        let deepest = contain(args)
        guard deepest < maxNestingDepth else { throw limitExceeded(.nestingDepth, deepest + 1) }
        tracking.append(NodeTracking(depth: Int32(deepest + 1)))
        return .node(graph.addRecord(kind, global: global, args: args).index)
    }

    /// Adds a node whose items are the stack's from `start` up (the caller drops them), with the checks of
    /// ``addNode(_:global:items:args:)``; no slice or generic collection on the way.
    mutating func addNode(_ kind: NodeKind, stackItemsFrom start: Int) throws -> PickleSlot {
        guard graph.nodeCount < maxNodeCount else { throw limitExceeded(.nodeCount, graph.nodeCount + 1) }
        let end = stack.count
        try countItems(end - start, existing: 0)
        var deepest = 0
        for index in start..<end { deepest = max(deepest, contain(stack[index])) }
        guard deepest < maxNestingDepth else { throw limitExceeded(.nestingDepth, deepest + 1) }
        tracking.append(NodeTracking(depth: Int32(deepest + 1)))
        return .node(graph.addRecord(kind, itemsOf: stack.slots, in: start..<end).index)
    }

    /// Adds a node after checking the node count, its item count and its depth; `items` are its items.
    mutating func addNode(
        _ kind: NodeKind, global: Int32 = -1, items: some Collection<PickleSlot>, args: PickleSlot = .none
    ) throws -> PickleSlot {
        guard graph.nodeCount < maxNodeCount else { throw limitExceeded(.nodeCount, graph.nodeCount + 1) }
        try countItems(items.count, existing: 0)
        var deepest = contain(args)
        for item in items { deepest = max(deepest, contain(item)) }
        guard deepest < maxNestingDepth else { throw limitExceeded(.nestingDepth, deepest + 1) }
        tracking.append(NodeTracking(depth: Int32(deepest + 1)))
        return .node(graph.addRecord(kind, global: global, items: items, args: args).index)
    }

    /// Marks `value` as inside another node and returns its depth.
    @inline(__always)
    private mutating func contain(_ value: PickleSlot) -> Int {
        guard value.isNode else { return 0 }
        tracking[value.index].contained = true
        return Int(tracking[value.index].depth)
    }

    /// Counts `added` new items into a container that holds `existing`, against both item limits.
    @inline(__always)
    mutating func countItems(_ added: Int, existing: Int) throws {
        guard added <= maxContainerItems - existing else { throw limitExceeded(.containerItems, existing + added) }
        guard added <= maxTotalItems - totalItems else { throw limitExceeded(.totalItems, totalItems + added) }
        totalItems += added
    }

    /// Records that node `id` now contains `child`: its depth grows to cover the child's (a node
    /// containing itself adds nothing; the exact measure at STOP ignores cycles too).
    @inline(__always)
    mutating func noteContains(_ id: PickleNodeID, _ child: PickleSlot) throws {
        if child == .node(id.index) { return }
        let needed = contain(child) + 1
        guard needed > Int(tracking[id.index].depth) else { return }
        guard needed <= maxNestingDepth else { throw limitExceeded(.nestingDepth, needed) }
        tracking[id.index].depth = Int32(needed)
        if tracking[id.index].contained { depthsMayBeStale = true }
    }

    /// The node behind `value` if it is one.
    mutating func nodeID(_ value: PickleSlot) -> PickleNodeID? {
        value.nodeID
    }

    /// The kind of node `id`, without its global.
    mutating func nodeKind(_ id: PickleNodeID) -> NodeKind {
        graph.records[id.index].kind
    }

    func kindName(_ value: PickleSlot) -> String {
        PickleValueKind.describe(graph.value(of: value), in: graph)
    }
}

/// What the unpickler tracks per node beside the graph.
struct NodeTracking {
    /// Nesting depth as known when the node was built or last mutated (1 for an empty container).
    var depth: Int32
    /// Whether some node contains this one.
    var contained = false
    /// For a global node, its index in ``UnpicklerMachine/globalUses``; for a dict or set with
    /// an index of its members, the index's position in `dictIndexes` or `setIndexes`.
    var slot: Int32 = -1
}
