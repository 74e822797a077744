/// Opcodes that push numbers, strings and bytes.
extension UnpicklerMachine {
    mutating func loadNumber(_ op: PickleOpcode) throws {
        switch op {
        case .none: try push(PickleSlot.none)
        case .newTrue: try push(PickleSlot.bool(true))
        case .newFalse: try push(PickleSlot.bool(false))
        case .binInt:
            let value = Int64(try input.readInt32())
            try push(PickleSlot.smallInt(value)!)
        case .binInt1:
            let value = Int64(try input.readByte())
            try push(PickleSlot.smallInt(value)!)
        case .binInt2:
            let value = Int64(try input.readLittleEndian(width: 2))
            try push(PickleSlot.smallInt(value)!)
        case .long1: try push(binaryInteger(length: UInt64(input.readByte())))
        case .long4:
            let length = try input.readInt32()
            guard length >= 0 else { throw negativeLength(length) }
            try push(binaryInteger(length: UInt64(length)))
        case .int:
            let line = try textLine()
            let value = try textInteger(PythonIntegerText.intOpcode(line, maxBytes: limits.maxIntegerBytes))
            try push(value)
        case .long:
            let line = try textLine()
            let value = try textInteger(PythonIntegerText.longOpcode(line, maxBytes: limits.maxIntegerBytes))
            try push(value)
        case .float:
            let line = try textLine()
            guard let value = PythonFloatText.parse(line) else { throw invalidText }
            try push(PickleValue.float(value))
        case .binFloat: try push(PickleValue.float(input.readBigEndianDouble()))
        default: preconditionFailure("\(op) is not a number opcode")
        }
    }

    mutating func loadText(_ op: PickleOpcode) throws {
        switch op {
        case .string:
            let line = try textLine()
            guard line.count >= 2, let quote = line.first, quote == line.last,
                quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
                let decoded = PythonStringEscapes.escapeDecode(line.dropFirst().dropLast())
            else { throw invalidText }
            let text = try utf8(decoded[...])
            try push(PickleValue.string(text))
        case .binString:
            let length = try input.readInt32()
            guard length >= 0 else { throw negativeLength(length) }
            try pushString(length: UInt64(length))
        case .shortBinString: try pushString(length: UInt64(input.readByte()))
        case .unicode:
            let line = try textLine()
            guard let text = PythonStringEscapes.rawUnicodeEscapeDecode(line) else { throw invalidText }
            try push(PickleValue.string(text))
        case .shortBinUnicode: try pushString(length: UInt64(input.readByte()))
        case .binUnicode: try pushString(length: UInt64(input.readUInt32()))
        case .binUnicode8: try pushString(length: input.readLittleEndian(width: 8))
        case .shortBinBytes: try push(PickleValue.bytes(Array(counted(UInt64(input.readByte())))))
        case .binBytes: try push(PickleValue.bytes(Array(counted(input.readLittleEndian(width: 4)))))
        case .binBytes8, .byteArray8: try push(PickleValue.bytes(Array(counted(input.readLittleEndian(width: 8)))))
        default: preconditionFailure("\(op) is not a string opcode")
        }
    }

    /// Note on style here and below: a non-mutating helper is never handed the result of a
    /// mutating call in the same expression (`utf8(counted(n))`), which would copy the whole
    /// machine, stack and graph included, for every opcode.
    /// A counted string, decoded straight from the input (no slice of it is made).
    @inline(__always)
    private mutating func pushString(length: UInt64) throws {
        let range = try input.readCountedRange(length, limit: limits.maxStringLength)
        guard let text = input.utf8Text(in: range) else { throw PickleError.invalidUTF8(opcode: opcode, offset: offset) }
        let slot = graph.stringSlot(text)
        try push(slot)
    }

    /// A protocol-0 text operand: the rest of the line.
    mutating func textLine() throws -> ArraySlice<UInt8> {
        try input.readLine(limit: limits.maxStringLength)
    }

    mutating func counted(_ length: UInt64) throws -> ArraySlice<UInt8> {
        try input.readCounted(length, limit: limits.maxStringLength)
    }

    /// Strict UTF-8, as torch.load decodes Python 2 strings (`encoding='utf-8'`) and as Python 3
    /// wrote its strings.
    mutating func utf8(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard let text = PickleText.utf8(bytes) else { throw PickleError.invalidUTF8(opcode: opcode, offset: offset) }
        return text
    }

    /// LONG1 / LONG4: little-endian two's complement, any length up to the integer limit.
    mutating func binaryInteger(length: UInt64) throws -> PickleValue {
        let bytes = try input.readCounted(length, limit: limits.maxIntegerBytes, name: .integerBytes)
        return PickleBigInt(littleEndianBytes: Array(bytes)).pickleValue
    }

    func textInteger(_ outcome: IntegerTextOutcome) throws -> PickleValue {
        switch outcome {
        case .value(let value): return value
        case .invalid: throw invalidText
        case .tooLarge(let bytes): throw limitExceeded(.integerBytes, bytes)
        }
    }

    var invalidText: PickleError { .invalidText(opcode: opcode, offset: offset) }

    func negativeLength(_ length: Int32) -> PickleError {
        .invalidOperand(opcode: opcode, expected: "a non-negative length", found: String(length), offset: offset)
    }
}
