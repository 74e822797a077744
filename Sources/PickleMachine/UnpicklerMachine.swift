/// The state of one unpickling run: the stack, marks, memo and the graph being built.
///
/// One loop executes opcodes (``Unpickler``); nothing recurses, so hostile nesting cannot overflow the
/// call stack. Every growth is checked against ``UnpicklerLimits`` before it happens.
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
    var stack: [PickleValue] = []
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
    var usageMasks: [UInt8] = []
    var globalUseIndex: [PickleGlobal: Int] = [:]
    /// One node per global, as one Python object per class.
    var globalNodes: [PickleGlobal: PickleNodeID] = [:]
    /// The one empty tuple, as Python's `()` is a singleton.
    var emptyTuple: PickleNodeID?
    var hashKeys = PickleHashKeys()
    /// Per dict (through its ``NodeTracking/slot``), where each key sits in `entries`, so a
    /// repeated key replaces the value in place.
    var dictIndexes: [HashPositionIndex<PickleHashKey>] = []
    /// Per set (through its slot), the members present.
    var setIndexes: [Set<PickleHashKey>] = []
    /// The dicts built by `collections.defaultdict`, with their factory's name (see ``DefaultDictFactories``).
    var defaultDictFactories: [PickleNodeID: String] = [:]

    init(bytes: [UInt8], start: Int, policy: UnpicklerPolicy, limits: UnpicklerLimits) {
        self.input = PickleInput(bytes: bytes, position: start)
        self.policy = policy
        self.limits = limits
        // NodeTracking keeps depths and slots in 32 bits; limits beyond that could never be met in memory.
        precondition(limits.maxNodeCount <= Int(Int32.max) && limits.maxNestingDepth < Int(Int32.max), "limits beyond Int32")
        let expectedNodes = min(bytes.count / 16, limits.maxNodeCount)
        graph.nodes.reserveCapacity(expectedNodes)
        tracking.reserveCapacity(expectedNodes)
    }

    var opcode: PickleOpcode { input.opcode }
    var offset: Int { input.opcodeOffset }
    var fence: Int { marks.last ?? 0 }

    func limitExceeded(_ limit: UnpicklerLimit, _ value: Int) -> PickleError {
        .limitExceeded(limit, value: value, offset: offset)
    }

    // MARK: Stack

    mutating func push(_ value: PickleValue) throws {
        guard stack.count < limits.maxStackSize else { throw limitExceeded(.stackSize, stack.count + 1) }
        stack.append(value)
    }

    mutating func pop() throws -> PickleValue {
        guard stack.count > fence else { throw PickleError.stackUnderflow(opcode: opcode, offset: offset) }
        return stack.removeLast()
    }

    /// The top `count` items, bottom first.
    mutating func pop(_ count: Int) throws -> [PickleValue] {
        guard stack.count - count >= fence else { throw PickleError.stackUnderflow(opcode: opcode, offset: offset) }
        let items = Array(stack[(stack.count - count)...])
        stack.removeLast(count)
        return items
    }

    func top() throws -> PickleValue {
        guard stack.count > fence, let value = stack.last else {
            throw PickleError.stackUnderflow(opcode: opcode, offset: offset)
        }
        return value
    }

    /// Replaces the top item (REDUCE's result takes its callable's place).
    mutating func replaceTop(with value: PickleValue) {
        stack[stack.count - 1] = value
    }

    /// The items above the topmost mark, bottom first; the mark is removed.
    mutating func popMarked() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw PickleError.missingMark(opcode: opcode, offset: offset) }
        let items = Array(stack[mark...])
        stack.removeLast(stack.count - mark)
        return items
    }

    // MARK: Nodes

    func depth(of value: PickleValue) -> Int {
        guard case .node(let id) = value else { return 0 }
        return Int(tracking[id.index].depth)
    }

    /// Adds a node after checking the node count, its item count and its depth.
    mutating func addNode(_ node: consuming PickleNode) throws -> PickleValue {
        guard graph.nodes.count < limits.maxNodeCount else { throw limitExceeded(.nodeCount, graph.nodes.count + 1) }
        try countItems(node.items.count + node.entries.count, existing: 0)
        var deepest = max(contain(node.args), node.state.map { contain($0) } ?? 0)
        for item in node.items { deepest = max(deepest, contain(item)) }
        for entry in node.entries { deepest = max(deepest, contain(entry.key), contain(entry.value)) }
        guard deepest < limits.maxNestingDepth else { throw limitExceeded(.nestingDepth, deepest + 1) }
        tracking.append(NodeTracking(depth: Int32(deepest + 1)))
        return graph.add(node)
    }

    /// Marks `value` as inside another node and returns its depth.
    private mutating func contain(_ value: PickleValue) -> Int {
        guard case .node(let id) = value else { return 0 }
        tracking[id.index].contained = true
        return Int(tracking[id.index].depth)
    }

    /// Counts `added` new items into a container that holds `existing`, against both item limits.
    mutating func countItems(_ added: Int, existing: Int) throws {
        guard added <= limits.maxContainerItems - existing else { throw limitExceeded(.containerItems, existing + added) }
        guard added <= limits.maxTotalItems - totalItems else { throw limitExceeded(.totalItems, totalItems + added) }
        totalItems += added
    }

    /// Records that node `id` now contains `child`: its depth grows to cover the child's (a node
    /// containing itself adds nothing; the exact measure at STOP ignores cycles too).
    mutating func noteContains(_ id: PickleNodeID, _ child: PickleValue) throws {
        if case .node(id) = child { return }
        let needed = contain(child) + 1
        guard needed > Int(tracking[id.index].depth) else { return }
        guard needed <= limits.maxNestingDepth else { throw limitExceeded(.nestingDepth, needed) }
        tracking[id.index].depth = Int32(needed)
        if tracking[id.index].contained { depthsMayBeStale = true }
    }

    /// The node behind `value` if it is one.
    func nodeID(_ value: PickleValue) -> PickleNodeID? {
        if case .node(let id) = value { return id }
        return nil
    }

    func kindName(_ value: PickleValue) -> String {
        PickleValueKind.describe(value, in: graph)
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
