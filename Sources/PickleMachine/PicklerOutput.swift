/// The bytes of a protocol-2 pickle under construction, with CPython's memo numbering.
struct PicklerOutput {
    /// What the memo can find again by value besides strings (``PicklerStringMemo``), as CPython finds the same
    /// object again (torch reuses its 'storage', 'cpu' and key strings); nodes are found by identity.
    enum MemoKey: Hashable {
        case bytes([UInt8])
        case global(PickleGlobal)
    }

    private var bytes: PicklerBytes
    /// Memo index of each node, -1 if none: nodes are the most frequent key, an array is cheapest.
    private var nodeMemo: [Int]
    /// Bytes and globals met so far, and the memo index of each (-1 while being written).
    private var values = HashPositionIndex<MemoKey>()
    private var strings: PicklerStringMemo
    private var valueMemo: [Int] = []
    private var memoCount = 0
    /// Where each string of the graph's string table is in `strings` (-1 before it is met): a string written
    /// again from the same place in the graph is found without hashing it.
    private var stringPositions: [Int32]
    /// Where a global is in `values` (-1 before it is met), by the writer's key for it less
    /// ``PicklerProgram/lowestKey`` (keys are places in the graph's global table, or a few of the writer's own).
    private var globalPositions: [Int32]

    /// Bytes reserved at first, per node: a checkpoint's pickle takes about 16 (17.9 for a state dict of 40,000
    /// tensors with long keys); a pickle that takes more continues in pieces (``PicklerBytes``).
    static let reservedBytesPerNode = 16

    init(nodeCount: Int, graphStrings: [String] = [], globalCount: Int = 0) {
        bytes = PicklerBytes([PickleOpcode.proto.rawValue, 2], reserving: 2 + nodeCount * Self.reservedBytesPerNode)
        nodeMemo = [Int](repeating: -1, count: nodeCount)
        strings = PicklerStringMemo(graphStrings: graphStrings)
        stringPositions = [Int32](repeating: -1, count: graphStrings.count)
        globalPositions = [Int32](repeating: -1, count: globalCount - PicklerProgram.lowestKey)
    }

    @inline(__always)
    mutating func write(_ opcode: PickleOpcode) {
        bytes.append(opcode)
    }

    /// The pickle's bytes in one array (a copy when it took more than one piece); the output is empty
    /// afterwards.
    mutating func takeJoined() -> [UInt8] {
        let pieces = bytes.takePieces()
        return pieces.count == 1 ? pieces[0] : Array(pieces.joined())
    }

    /// The pickle's bytes in pieces, in order; the output is empty afterwards.
    mutating func takePieces() -> [[UInt8]] {
        bytes.takePieces()
    }

    /// ``memoize()`` for node `id`: later uses of the node are BINGETs.
    @inline(__always)
    mutating func memoize(_ id: PickleNodeID) {
        nodeMemo[id.index] = memoCount
        memoize()
    }

    /// BINPUT / LONG_BINPUT for the next memo index.
    @inline(__always)
    mutating func memoize() {
        precondition(memoCount <= Int(UInt32.max), "more memo entries than LONG_BINPUT can number")
        if memoCount < 256 {
            bytes.append(.binPut, UInt64(memoCount), width: 1)
        } else {
            bytes.append(.longBinPut, UInt64(memoCount), width: 4)
        }
        memoCount += 1
    }

    /// Whether node `id` was written and memoized (later uses are BINGETs).
    func isMemoized(_ id: PickleNodeID) -> Bool {
        nodeMemo[id.index] >= 0
    }

    /// Writes BINGET / LONG_BINGET and returns true if node `id` is memoized.
    mutating func writeGet(_ id: PickleNodeID) -> Bool {
        guard nodeMemo[id.index] >= 0 else { return false }
        writeGet(index: nodeMemo[id.index])
        return true
    }

    /// For a value: writes BINGET and returns nil if it was written before; otherwise returns the
    /// position to pass to ``memoize(position:)`` once it is written.
    private mutating func getOrReserve(_ key: MemoKey) -> Int? {
        if let position = values.insert(key) {
            precondition(valueMemo[position] >= 0, "a value met again while being written")
            writeGet(index: valueMemo[position])
            return nil
        }
        valueMemo.append(-1)
        return values.count - 1
    }

    /// BINPUT for the value reserved at `position`.
    private mutating func memoize(position: Int) {
        valueMemo[position] = memoCount
        memoize()
    }

    @inline(__always)
    private mutating func writeGet(index: Int) {
        if index < 256 {
            bytes.append(.binGet, UInt64(index), width: 1)
        } else {
            bytes.append(.longBinGet, UInt64(index), width: 4)
        }
    }

    /// BININT1, BININT2, BININT or LONG1, the smallest that holds the value, as CPython chooses.
    mutating func writeInteger(_ value: Int64) {
        switch value {
        case 0...0xFF: bytes.append(.binInt1, UInt64(value), width: 1)
        case 0...0xFFFF: bytes.append(.binInt2, UInt64(value), width: 2)
        case Int64(Int32.min)...Int64(Int32.max):
            bytes.append(.binInt, UInt64(UInt32(truncatingIfNeeded: value)), width: 4)
        default:
            writeLong1(PickleBigInt(value).littleEndianBytes)
        }
    }

    mutating func writeBigInteger(_ value: PickleBigInt) throws {
        if let small = value.int64 { return writeInteger(small) }
        guard value.littleEndianBytes.count <= 255 else {
            throw PickleError.integerTooLarge(byteCount: value.littleEndianBytes.count)
        }
        writeLong1(value.littleEndianBytes)
    }

    private mutating func writeLong1(_ twosComplement: [UInt8]) {
        bytes.makeRoom(forRun: 2 + twosComplement.count)
        bytes.append(.long1, UInt64(twosComplement.count), width: 1)
        bytes.append(contentsOf: twosComplement)
    }

    /// BINFLOAT: 8 bytes, big-endian.
    mutating func writeFloat(_ value: Double) {
        write(.binFloat)
        bytes.append(value.bitPattern.byteSwapped, width: 8)
    }

    /// BINUNICODE and a memo entry, or BINGET of an equal string already written.
    mutating func writeString(_ text: String) {
        _ = writeText(text, graphIndex: nil)
    }

    /// ``writeString(_:)`` for string `index` of the graph's string table.
    @inline(__always)
    mutating func writeString(graphIndex index: Int) {
        let known = Int(stringPositions[index])
        if known >= 0 { return writeGet(index: strings.memoIndexes[known]) }
        stringPositions[index] = Int32(writeText(strings.graphStrings[index], graphIndex: index))
    }

    /// Writes the string (string `graphIndex` of the graph, or one of the writer's) or BINGET of an equal one
    /// written before; returns its position in `strings`.
    private mutating func writeText(_ text: String, graphIndex: Int?) -> Int {
        if let position = strings.find(text, graphIndex: graphIndex, memoIndex: memoCount) {
            writeGet(index: strings.memoIndexes[position])
            return position
        }
        let count = text.utf8.count
        bytes.makeRoom(forRun: 5 + count)
        bytes.append(.binUnicode, UInt64(count), width: 4)
        bytes.append(utf8: text)
        memoize()  // the memo index `find` recorded
        return strings.count - 1
    }

    /// ``writeGlobal(_:)`` for the global the writer knows by `key` (found again without hashing it, and
    /// made only the first time).
    mutating func writeGlobal(key: Int, _ global: () -> PickleGlobal) throws {
        let known = Int(globalPositions[key - PicklerProgram.lowestKey])
        if known >= 0 {
            precondition(valueMemo[known] >= 0, "a value met again while being written")
            return writeGet(index: valueMemo[known])
        }
        let made = global()
        try writeGlobal(made)
        globalPositions[key - PicklerProgram.lowestKey] = Int32(values.position(of: .global(made))!)
    }

    /// GLOBAL with the Python 2 names protocol 2 uses, memoized; BINGET when written before.
    mutating func writeGlobal(_ global: PickleGlobal) throws {
        guard let position = getOrReserve(.global(global)) else { return }
        let written = PythonNameMapping.python2(global)
        for part in [written.module, written.name] {
            guard part.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0A }) else {
                throw PickleError.unencodableGlobal(name: global.qualifiedName)
            }
        }
        bytes.makeRoom(forRun: 3 + written.module.utf8.count + written.name.utf8.count)
        write(.global)
        bytes.append(utf8: written.module)
        bytes.append(0x0A, width: 1)
        bytes.append(utf8: written.name)
        bytes.append(0x0A, width: 1)
        memoize(position: position)
    }

    /// Bytes as protocol 2 writes them, `_codecs.encode(latin1_text, 'latin1')` (also when empty,
    /// where CPython's `__builtin__ bytes` call would be refused by torch's weights-only loader).
    mutating func writeBytes(_ data: [UInt8]) throws {
        guard let position = getOrReserve(.bytes(data)) else { return }
        try writeGlobal(PickleGlobal(module: "_codecs", name: "encode"))
        var latin1 = String.UnicodeScalarView()
        latin1.append(contentsOf: data.map { Unicode.Scalar($0) })
        writeString(String(latin1))
        writeString("latin1")
        write(.tuple2)
        memoize()
        write(.reduce)
        memoize(position: position)
    }
}
