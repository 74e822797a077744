/// Writes a ``PickleGraph`` as a protocol-2 pickle that torch's weights-only loader accepts.
///
/// Only PROTO(2) STOP GLOBAL NEWOBJ REDUCE BUILD APPEND APPENDS SETITEM SETITEMS MARK TUPLE TUPLE1-3
/// NONE NEWFALSE NEWTRUE EMPTY_TUPLE EMPTY_LIST EMPTY_DICT BININT BININT1 BININT2 BINFLOAT BINUNICODE
/// LONG1 BINPERSID BINGET LONG_BINGET BINPUT LONG_BINPUT are written. For the shapes checkpoints hold
/// the bytes equal CPython's `pickle.dumps(obj, protocol=2)`: same opcodes, batches and memo numbering
/// (strings, bytes and globals are found again by value, where CPython finds the same object).
/// Iterative, so deep graphs cannot overflow the call stack; nesting beyond `maximumDepth` is refused.
public enum Pickler {
    /// Nesting CPython's recursive pickler handles by default (its recursion limit is about 1000).
    public static let defaultMaximumDepth = 1000

    /// The pickle of `root`, whose nodes live in `graph`.
    ///
    /// `persistentIDItems` lets a writer renumber storages in the order they are pickled: it is asked once
    /// for each persistent id node, when the pickler first writes it, and may give the items to write for that
    /// id's argument tuple instead of the graph's (nil in a place keeps the graph's item there; a tuple already
    /// given items keeps the first ones).
    public static func pickle(
        _ graph: PickleGraph, root: PickleValue, maximumDepth: Int = defaultMaximumDepth,
        persistentIDItems: ((PickleNodeID) throws -> [PickleValue?]?)? = nil
    ) throws -> [UInt8] {
        var output = try written(graph, root: root, maximumDepth: maximumDepth, persistentIDItems: persistentIDItems)
        return output.takeJoined()
    }

    /// ``pickle(_:root:maximumDepth:persistentIDItems:)`` in pieces whose concatenation is the pickle, as it
    /// was made: a large pickle is never copied whole (nor held twice while an array grows).
    public static func pickleInPieces(
        _ graph: PickleGraph, root: PickleValue, maximumDepth: Int = defaultMaximumDepth,
        persistentIDItems: ((PickleNodeID) throws -> [PickleValue?]?)? = nil
    ) throws -> [[UInt8]] {
        var output = try written(graph, root: root, maximumDepth: maximumDepth, persistentIDItems: persistentIDItems)
        return output.takePieces()
    }

    private static func written(
        _ graph: PickleGraph, root: PickleValue, maximumDepth: Int,
        persistentIDItems: ((PickleNodeID) throws -> [PickleValue?]?)?
    ) throws -> PicklerOutput {
        var machine = PicklerMachine(graph: graph, maximumDepth: maximumDepth)
        machine.persistentIDItems = persistentIDItems
        try machine.write(root)
        while machine.depth > 0 { try machine.advance() }
        machine.output.write(.stop)
        return machine.output
    }
}

/// One node being written: its program and where it stands. Plain data, so that the innermost frame is
/// updated in place and a frame is pushed or popped without counting references.
struct PicklerFrame {
    let node: PickleNodeID
    let program: PicklerProgram
    var stepIndex = 0
    /// Where the items or entries step being written stands: its batch (-1 before the first), the node's first
    /// item or entry slot, the next slot and where the batch's slots end (places in the graph's slot array).
    var batch = -1
    var runStart = 0
    var position = 0
    var batchEnd = 0
    var batchMarked = false

    init(node: PickleNodeID, program: PicklerProgram) {
        self.node = node
        self.program = program
    }
}

/// The writer's state: the output, the open frames, and the items given in place of the graph's.
struct PicklerMachine {
    let graph: PickleGraph
    let maximumDepth: Int
    var output: PicklerOutput
    /// The innermost open frame (when `depth` > 0), and the frames it is nested in, outermost first:
    /// `outer[..<depth - 1]`. The array keeps the deepest nesting met, so closing a frame only reads it.
    var top: PicklerFrame
    var outer: [PicklerFrame] = []
    /// Number of open frames.
    var depth = 0
    /// Nodes whose frame is open: met again before they are memoized means a cycle the memo cannot express.
    var open: [Bool]
    var replaced = PicklerReplacedItems()
    var persistentIDItems: ((PickleNodeID) throws -> [PickleValue?]?)?

    init(graph: PickleGraph, maximumDepth: Int) {
        self.graph = graph
        self.maximumDepth = maximumDepth
        self.open = [Bool](repeating: false, count: graph.nodeCount)
        self.output = PicklerOutput(nodeCount: graph.nodeCount, graphStrings: graph.strings, globalCount: graph.globalCount)
        self.top = PicklerFrame(node: PickleNodeID(index: -1), program: .list)
    }

    /// Performs the steps of the innermost frame until it opens a child's frame (which runs before this one
    /// continues) or its program is done and it closes.
    mutating func advance() throws {
        let frame = depth
        repeat {
            guard let step = top.program.step(top.stepIndex, of: top.node, in: graph) else { return close() }
            switch step {
            case .items(let batching): if try writeNextChild(batching, isEntries: false) { continue }
            case .entries(let batching): if try writeNextChild(batching, isEntries: true) { continue }
            case .opcode(let opcode): output.write(opcode)
            case .global(let key): try writeGlobal(key: key)
            case .child(let slot):
                top.stepIndex += 1  // before the child, which may open a frame of its own
                try write(slot)
                continue
            case .make(let opcode):
                output.write(opcode)
                output.memoize(top.node)
            case .memoizeAnonymous: output.memoize()
            }
            top.stepIndex += 1
        } while depth == frame
    }

    /// Writes the next item (or entry key or value) of the innermost frame's items or entries step, with MARK
    /// and the APPEND(S) / SETITEM(S) closers around its batches; false when the step is done.
    private mutating func writeNextChild(_ batching: PicklerBatching, isEntries: Bool) throws -> Bool {
        if top.position == top.batchEnd && !nextBatch(batching, isEntries: isEntries) { return false }
        let position = top.position
        top.position += 1  // before the child, which may open a frame of its own
        if !isEntries, let value = replaced.item(position - top.runStart, of: top.node) {
            try write(value)
        } else {
            try write(graph.slots[position])
        }
        return true
    }

    /// Closes the batch just written (if any) and opens the next one that has elements; false when none is left.
    private mutating func nextBatch(_ batching: PicklerBatching, isEntries: Bool) -> Bool {
        let width = isEntries ? 2 : 1
        repeat {
            if top.batch >= 0 && batching != .plain {
                if isEntries {
                    output.write(top.batchMarked ? .setItems : .setItem)
                } else {
                    output.write(top.batchMarked ? .appends : .append)
                }
            }
            top.batch += 1
            let count = isEntries ? graph.entryCount(of: top.node) : replaced.itemCount(of: top.node, in: graph)
            guard let batch = batching.batch(top.batch, count: count) else {
                top.batch = -1
                top.position = 0
                top.batchEnd = 0
                return false
            }
            if batch.marked { output.write(.mark) }
            let record = graph.records[top.node.index]
            top.runStart = Int(isEntries ? record.entries.start : record.items.start)
            top.batchMarked = batch.marked
            top.position = top.runStart + batch.start * width
            top.batchEnd = top.runStart + (batch.start + batch.count) * width
        } while top.position == top.batchEnd
        return true
    }

    private mutating func close() {
        open[top.node.index] = false
        replaced.release(top.node)
        depth -= 1
        if depth > 0 { top = outer[depth - 1] }
    }

    /// A child as the graph stores it: a string of the graph is memoized by its place in the string table too.
    mutating func write(_ slot: PickleSlot) throws {
        switch slot.tag {
        case .none, .absent: output.write(.none)
        case .falseValue: output.write(.newFalse)
        case .trueValue: output.write(.newTrue)
        case .int: output.writeInteger(slot.int)
        case .string: output.writeString(graphIndex: slot.index)
        case .scalar: try write(graph.scalars[slot.index])
        case .node: try writeNode(PickleNodeID(index: slot.index))
        }
    }

    /// Writes a scalar, a memo reference or a global at once; opens a frame for any other node.
    mutating func write(_ value: PickleValue) throws {
        switch value {
        case .none: output.write(.none)
        case .bool(let flag): output.write(flag ? .newTrue : .newFalse)
        case .int(let number): output.writeInteger(number)
        case .bigInt(let number): try output.writeBigInteger(number)
        case .float(let number): output.writeFloat(number)
        case .string(let text): output.writeString(text)
        case .bytes(let data): try output.writeBytes(data)
        case .node(let id): try writeNode(id)
        }
    }

    private mutating func writeNode(_ id: PickleNodeID) throws {
        guard graph.contains(id) else { throw PickleError.danglingNode(index: id.index) }
        if output.writeGet(id) { return }
        let kind = graph.records[id.index].kind
        if kind == .global { return try writeGlobal(key: PicklerProgram.key(of: id, in: graph)) }
        if kind == .tuple && replaced.itemCount(of: id, in: graph) == 0 { return output.write(.emptyTuple) }
        guard !open[id.index] else { throw PickleError.cycleThroughImmutable(node: id.index) }
        guard depth < maximumDepth else { throw PickleError.nestingTooDeep(limit: maximumDepth, node: id.index) }
        if kind == .persistentID, let rewrite = persistentIDItems { try replaceArguments(of: id, rewrite) }
        open[id.index] = true
        let program = try PicklerProgram(for: id, itemCount: replaced.itemCount(of: id, in: graph), in: graph)
        let frame = PicklerFrame(node: id, program: program)
        if depth > outer.count {
            outer.append(top)
        } else if depth > 0 {
            outer[depth - 1] = top
        }
        top = frame
        depth += 1
    }

    private mutating func writeGlobal(key: Int) throws {
        try output.writeGlobal(key: key) { PicklerProgram.global(forKey: key, in: graph) }
    }

    /// Asks for the items of persistent id `id`'s argument tuple, unless that tuple holds given items now.
    private mutating func replaceArguments(of id: PickleNodeID, _ rewrite: (PickleNodeID) throws -> [PickleValue?]?) throws {
        guard case .node(let tuple) = graph.args(of: id), graph.contains(tuple), replaced.items(of: tuple) == nil,
            let items = try rewrite(id)
        else {
            return
        }
        guard !output.isMemoized(tuple) else { return }  // written before: its BINGET stands
        precondition(items.indices.allSatisfy { items[$0] != nil || $0 < graph.itemCount(of: tuple) }, "no graph item to keep")
        replaced.hold(items, for: tuple)
    }
}
