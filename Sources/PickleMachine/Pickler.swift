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
        try written(graph, root: root, maximumDepth: maximumDepth, persistentIDItems: persistentIDItems).joined
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
        machine.output.makeRoomForStep()
        try machine.write(root)
        while !machine.frames.isEmpty { try machine.advance() }
        machine.output.write(.stop)
        return machine.output
    }
}

/// One node being written: its program and where it stands.
struct PicklerFrame {
    let node: PickleNodeID
    let program: PicklerProgram
    var stepIndex = 0
    /// Where the items or entries step being written stands: its batch, and the position in it.
    var batchIndex = 0
    var position = 0
    var markWritten = false

    /// The step the frame stands at. Mutating only so that the frame is used in place in the frame stack
    /// (a read would copy it, program included, once per step).
    mutating func currentStep(in graph: PickleGraph) -> PicklerStep? {
        program.step(stepIndex, of: node, in: graph)
    }
}

struct PicklerMachine {
    let graph: PickleGraph
    let maximumDepth: Int
    var output: PicklerOutput
    var frames: [PicklerFrame] = []
    /// Nodes whose frame is open: met again before they are memoized means a cycle the memo cannot express.
    var open: [Bool]
    /// Items written instead of the graph's (nil: the graph's item in that place), by node index; kept only
    /// until the node's frame closes (a node is written once, then found in the memo): a few at a time, so a
    /// short list searched from its end.
    var replacedItems: [(node: Int, items: [PickleValue?])] = []
    var persistentIDItems: ((PickleNodeID) throws -> [PickleValue?]?)?

    init(graph: PickleGraph, maximumDepth: Int) {
        self.graph = graph
        self.maximumDepth = maximumDepth
        self.open = [Bool](repeating: false, count: graph.nodeCount)
        self.output = PicklerOutput(nodeCount: graph.nodeCount, graphStrings: graph.strings)
    }

    /// A child as the graph stores it, or a value given instead.
    enum Child {
        case slot(PickleSlot)
        case value(PickleValue)
    }

    /// A child: a string of the graph is memoized by its place in the string table too.
    mutating func write(_ child: Child) throws {
        switch child {
        case .slot(let slot) where slot.tag == .string: output.writeString(graph.strings[slot.index], graphIndex: slot.index)
        case .slot(let slot): try write(graph.value(of: slot))
        case .value(let value): try write(value)
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
        let record = graph.records[id.index]
        if record.kind == .global {
            return try output.writeGlobal(graph.global(of: id)!, key: PicklerProgram.key(of: id, in: graph))
        }
        if record.kind == .tuple && itemCount(of: id) == 0 { return output.write(.emptyTuple) }
        guard !open[id.index] else { throw PickleError.cycleThroughImmutable(node: id.index) }
        guard frames.count < maximumDepth else { throw PickleError.nestingTooDeep(limit: maximumDepth, node: id.index) }
        if record.kind == .persistentID, let rewrite = persistentIDItems { try replaceArguments(of: id, rewrite) }
        open[id.index] = true
        frames.append(PicklerFrame(node: id, program: try PicklerProgram(for: id, itemCount: itemCount(of: id), in: graph)))
    }

    /// Asks for the items of persistent id `id`'s argument tuple, unless that tuple holds given items now.
    private mutating func replaceArguments(of id: PickleNodeID, _ rewrite: (PickleNodeID) throws -> [PickleValue?]?) throws {
        guard case .node(let tuple) = graph.args(of: id), graph.contains(tuple), replaced(tuple) == nil,
            let items = try rewrite(id)
        else {
            return
        }
        guard !output.isMemoized(tuple) else { return }  // written before: its BINGET stands
        precondition(items.indices.allSatisfy { items[$0] != nil || $0 < graph.itemCount(of: tuple) }, "no graph item to keep")
        replacedItems.append((tuple.index, items))
    }

    func itemCount(of id: PickleNodeID) -> Int {
        replaced(id)?.count ?? graph.itemCount(of: id)
    }

    /// The items given for node `id` instead of the graph's, if any (looked up only while some are held).
    private func replaced(_ id: PickleNodeID) -> [PickleValue?]? {
        replacedItems.last(where: { $0.node == id.index })?.items
    }

    /// Performs the next step of the innermost frame, closing it when its program is done.
    mutating func advance() throws {
        output.makeRoomForStep()
        let top = frames.count - 1
        let node = frames[top].node
        guard let step = frames[top].currentStep(in: graph) else {
            open[node.index] = false
            if let held = replacedItems.lastIndex(where: { $0.node == node.index }) { replacedItems.remove(at: held) }
            frames.removeLast()
            return
        }
        switch step {
        case .items(let batching):
            if let child = nextChild(of: top, batching: batching, isEntries: false) { return try write(child) }
        case .entries(let batching):
            if let child = nextChild(of: top, batching: batching, isEntries: true) { return try write(child) }
        case .opcode(let opcode): output.write(opcode)
        case .global(let global, let key): try output.writeGlobal(global, key: key)
        case .value(let value):
            frames[top].stepIndex += 1
            return try write(value)  // may open a frame, which runs before this one continues
        case .memoizeNode: output.memoize(.node(node))
        case .memoizeAnonymous: output.memoize(nil)
        }
        frames[top].stepIndex += 1
    }

    /// The next item (or entry key or value) of the frame's items/entries step, writing MARK and the
    /// APPEND(S) / SETITEM(S) closers around batches; nil when the step is done.
    private mutating func nextChild(of top: Int, batching: PicklerBatching, isEntries: Bool) -> Child? {
        let record = graph.records[frames[top].node.index]
        let perElement = isEntries ? 2 : 1
        let count = isEntries ? Int(record.entries.count) : itemCount(of: frames[top].node)
        while let batch = batching.batch(frames[top].batchIndex, count: count) {
            if batch.marked && !frames[top].markWritten {
                output.write(.mark)
                frames[top].markWritten = true
            }
            let position = frames[top].position
            if position < batch.count * perElement {
                frames[top].position += 1
                let element = batch.start + position / perElement
                guard isEntries else {
                    if let replaced = replaced(frames[top].node), let value = replaced[element] { return .value(value) }
                    return .slot(graph.slots[Int(record.items.start) + element])
                }
                return .slot(graph.slots[Int(record.entries.start) + 2 * element + position % 2])
            }
            if batching != .plain {
                let many: PickleOpcode = isEntries ? .setItems : .appends
                let one: PickleOpcode = isEntries ? .setItem : .append
                output.write(batch.marked ? many : one)
            }
            frames[top].batchIndex += 1
            frames[top].position = 0
            frames[top].markWritten = false
        }
        frames[top].batchIndex = 0
        return nil
    }
}
