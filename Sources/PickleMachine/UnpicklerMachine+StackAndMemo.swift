/// Opcodes that move items on the stack, manage marks and use the memo, plus PROTO and FRAME.
extension UnpicklerMachine {
    mutating func stackOrMemo(_ op: PickleOpcode) throws {
        switch op {
        case .mark: try pushMark()
        case .pop:
            // With nothing above the topmost mark, POP discards the mark (CPython's load_pop).
            if let mark = marks.last, mark == stack.count {
                marks.removeLast()
            } else {
                _ = try pop()
            }
        case .popMark: _ = try popMarked()
        case .dup:
            let value = try top()
            try push(value)
        case .get:
            let index = try textMemoIndex()
            let value = try memoValue(index)
            try push(value)
        case .binGet:
            let index = Int(try input.readByte())
            let value = try memoValue(index)
            try push(value)
        case .longBinGet:
            let index = Int(try input.readUInt32())
            let value = try memoValue(index)
            try push(value)
        case .put:
            let index = try textMemoIndex()
            guard index >= 0 else {
                throw PickleError.invalidOperand(
                    opcode: op, expected: "a non-negative memo index", found: String(index), offset: offset)
            }
            try storeMemo(index)
        case .binPut:
            let index = Int(try input.readByte())
            try storeMemo(index)
        case .longBinPut:
            let index = Int(try input.readUInt32())
            try storeMemo(index)
        case .memoize: try storeMemo(memo.count)  // CPython numbers by the memo's current size
        default: preconditionFailure("\(op) is not a stack or memo opcode")
        }
    }

    mutating func framing(_ op: PickleOpcode) throws {
        switch op {
        case .proto:
            let version = Int(try input.readByte())
            guard version <= 5 else { throw PickleError.unsupportedProtocol(version, offset: offset) }
            protocolVersion = version
        case .frame:
            // Frames only group opcodes for buffered reading; the length is checked, nothing else.
            let length = try input.readLittleEndian(width: 8)
            guard length <= UInt64(input.remaining) else {
                throw PickleError.lengthBeyondInput(opcode: op, length: length, offset: offset, remaining: input.remaining)
            }
            guard length <= UInt64(limits.maxFrameLength) else { throw limitExceeded(.frameLength, Int(length)) }
        default:
            preconditionFailure("\(op) is not a framing opcode")
        }
    }

    @inline(__always)
    mutating func memoValue(_ index: Int) throws -> PickleSlot {
        guard let value = memo[index] else { throw PickleError.unknownMemoIndex(index, offset: offset) }
        return value
    }

    @inline(__always)
    mutating func storeMemo(_ index: Int) throws {
        let value = try top()
        if memo.isNext(index) {  // what CPython writes: a new entry, without the general store's lookups
            guard memo.count < maxMemoEntries else { throw limitExceeded(.memoEntries, memo.count + 1) }
            memo.appendNext(value)
            return
        }
        if memo.count >= maxMemoEntries, memo.isNew(index) {
            throw limitExceeded(.memoEntries, memo.count + 1)
        }
        memo.store(value, at: index)
    }

    /// GET and PUT take a base-10 Python integer line (leading zeros allowed).
    mutating func textMemoIndex() throws -> Int {
        let line = try textLine()
        guard case .value(.int(let index)) = PythonIntegerText.parse(line, base: 10, maxBytes: 8) else {
            throw invalidText
        }
        return Int(index)
    }
}
