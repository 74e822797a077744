/// The state of one unpickling run: the stack, marks, memo and the graph being built.
///
/// One loop executes opcodes (``Unpickler``); nothing recurses, so hostile nesting cannot overflow the
/// call stack. Every growth is checked against ``UnpicklerLimits`` before it happens.
struct UnpicklerMachine {
    var input: PickleInput
    let policy: UnpicklerPolicy
    let limits: UnpicklerLimits
    var graph = PickleGraph()
    /// Nesting depth of each node as known when it was built or last mutated: exact for trees, a
    /// quick early refusal for hostile chains; ``NestingDepthCheck`` measures exactly at STOP.
    var depths: [Int32] = []
    var stack: [PickleValue] = []
    /// Stack heights at each open MARK; items below the topmost one are out of reach, as in CPython.
    var marks: [Int] = []
    /// A dictionary, not an array, so a hostile index (LONG_BINPUT 0xFFFFFFFF) allocates nothing.
    var memo: [Int: PickleValue] = [:]
    var protocolVersion = 0
    var totalItems = 0
    var globalUses: [PickleGlobalUse] = []
    var globalUseIndex: [PickleGlobal: Int] = [:]
    /// One node per global, as one Python object per class.
    var globalNodes: [PickleGlobal: PickleNodeID] = [:]
    /// The one empty tuple, as Python's `()` is a singleton.
    var emptyTuple: PickleNodeID?
    var hashKeys = PickleHashKeys()
    /// Per dict, where each key sits in `entries`, so a repeated key replaces the value in place.
    var dictIndex: [PickleNodeID: [PickleHashKey: Int]] = [:]
    var setIndex: [PickleNodeID: Set<PickleHashKey>] = [:]

    init(bytes: [UInt8], start: Int, policy: UnpicklerPolicy, limits: UnpicklerLimits) {
        self.input = PickleInput(bytes: bytes, position: start)
        self.policy = policy
        self.limits = limits
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
        guard case let .node(id) = value else { return 0 }
        return Int(depths[id.index])
    }

    /// Adds a node after checking the node count, its item count and its depth.
    mutating func addNode(_ node: PickleNode) throws -> PickleValue {
        guard graph.nodes.count < limits.maxNodeCount else { throw limitExceeded(.nodeCount, graph.nodes.count + 1) }
        try countItems(node.items.count + node.entries.count, existing: 0)
        var deepest = max(depth(of: node.args), node.state.map { depth(of: $0) } ?? 0)
        for item in node.items { deepest = max(deepest, depth(of: item)) }
        for entry in node.entries { deepest = max(deepest, depth(of: entry.key), depth(of: entry.value)) }
        guard deepest < limits.maxNestingDepth else { throw limitExceeded(.nestingDepth, deepest + 1) }
        depths.append(Int32(deepest + 1))
        return graph.add(node)
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
        let needed = depth(of: child) + 1
        guard needed > Int(depths[id.index]) else { return }
        guard needed <= limits.maxNestingDepth else { throw limitExceeded(.nestingDepth, needed) }
        depths[id.index] = Int32(needed)
    }

    /// The node behind `value` if it is one.
    func nodeID(_ value: PickleValue) -> PickleNodeID? {
        if case let .node(id) = value { return id }
        return nil
    }

    func kindName(_ value: PickleValue) -> String {
        PickleValueKind.describe(value, in: graph)
    }
}
