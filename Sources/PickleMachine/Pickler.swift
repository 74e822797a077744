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
    public static func pickle(
        _ graph: PickleGraph, root: PickleValue, maximumDepth: Int = defaultMaximumDepth
    ) throws -> [UInt8] {
        var machine = PicklerMachine(graph: graph, maximumDepth: maximumDepth)
        try machine.write(root)
        while !machine.frames.isEmpty { try machine.advance() }
        machine.output.write(.stop)
        return machine.output.bytes
    }
}

/// One node being written: its program and where it stands.
struct PicklerFrame {
    let node: PickleNodeID
    let steps: [PicklerStep]
    var stepIndex = 0
    var batches: [PicklerBatching.Batch]?
    var batchIndex = 0
    var position = 0
    var markWritten = false
}

struct PicklerMachine {
    let graph: PickleGraph
    let maximumDepth: Int
    var output: PicklerOutput
    var frames: [PicklerFrame] = []
    /// Nodes whose frame is open: met again before they are memoized means a cycle the memo cannot express.
    var open: [Bool]

    init(graph: PickleGraph, maximumDepth: Int) {
        self.graph = graph
        self.maximumDepth = maximumDepth
        self.open = [Bool](repeating: false, count: graph.nodes.count)
        self.output = PicklerOutput(nodeCount: graph.nodes.count)
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
        guard graph.nodes.indices.contains(id.index) else { throw PickleError.danglingNode(index: id.index) }
        if output.writeGet(id) { return }
        let node = graph[id]
        if case .global(let global) = node.kind { return try output.writeGlobal(global) }
        if node.kind == .tuple && node.items.isEmpty { return output.write(.emptyTuple) }
        guard !open[id.index] else { throw PickleError.cycleThroughImmutable(node: id.index) }
        guard frames.count < maximumDepth else { throw PickleError.nestingTooDeep(limit: maximumDepth, node: id.index) }
        open[id.index] = true
        frames.append(PicklerFrame(node: id, steps: try PicklerStep.program(for: node, id: id, in: graph)))
    }

    /// Performs the next step of the innermost frame, closing it when its program is done.
    mutating func advance() throws {
        let top = frames.count - 1
        let frame = frames[top]
        guard frame.stepIndex < frame.steps.count else {
            open[frame.node.index] = false
            frames.removeLast()
            return
        }
        switch frame.steps[frame.stepIndex] {
        case .items(let batching), .entries(let batching):
            if let child = nextChild(of: top, batching: batching) { return try write(child) }
        case .opcode(let opcode): output.write(opcode)
        case .global(let global): try output.writeGlobal(global)
        case .value(let value):
            frames[top].stepIndex += 1
            return try write(value)  // may open a frame, which runs before this one continues
        case .memoizeNode: output.memoize(.node(frame.node))
        case .memoizeAnonymous: output.memoize(nil)
        }
        frames[top].stepIndex += 1
    }

    /// The next item (or entry key or value) of the frame's items/entries step, writing MARK and the
    /// APPEND(S) / SETITEM(S) closers around batches; nil when the step is done.
    private mutating func nextChild(of top: Int, batching: PicklerBatching) -> PickleValue? {
        let node = graph[frames[top].node]
        let step = frames[top].steps[frames[top].stepIndex]
        let isEntries: Bool
        if case .entries = step { isEntries = true } else { isEntries = false }
        let perElement = isEntries ? 2 : 1
        if frames[top].batches == nil {
            frames[top].batches = batching.batches(count: isEntries ? node.entries.count : node.items.count)
        }
        let batches = frames[top].batches!
        while frames[top].batchIndex < batches.count {
            let batch = batches[frames[top].batchIndex]
            if batch.marked && !frames[top].markWritten {
                output.write(.mark)
                frames[top].markWritten = true
            }
            let position = frames[top].position
            if position < batch.count * perElement {
                frames[top].position += 1
                let element = batch.start + position / perElement
                guard isEntries else { return node.items[element] }
                return position % 2 == 0 ? node.entries[element].key : node.entries[element].value
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
        frames[top].batches = nil
        frames[top].batchIndex = 0
        return nil
    }
}
