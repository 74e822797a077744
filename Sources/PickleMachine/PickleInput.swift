/// Bounds-checked reading of pickle bytes; every failure names the current opcode and its offset.
struct PickleInput {
    let bytes: [UInt8]
    /// Index of the next unread byte.
    var position: Int
    /// The opcode being executed and where it started, for errors.
    var opcode: PickleOpcode = .stop
    var opcodeOffset: Int

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
        self.opcodeOffset = position
    }

    var remaining: Int { bytes.count - position }

    /// Reads the next opcode byte; nil at the end of the input.
    mutating func nextOpcodeByte() -> UInt8? {
        guard position < bytes.count else { return nil }
        opcodeOffset = position
        position += 1
        return bytes[position - 1]
    }

    var truncated: PickleError { .truncated(opcode: opcode, offset: opcodeOffset) }

    @inline(__always)
    mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw truncated }
        position += 1
        return bytes[position - 1]
    }

    /// An unsigned little-endian integer of `width` bytes (at most 8).
    mutating func readLittleEndian(width: Int) throws -> UInt64 {
        guard remaining >= width else { throw truncated }
        let value = loadLittleEndian(at: position, width: width)
        position += width
        return value
    }

    /// A little-endian UInt32 (BINUNICODE's length, LONG_BINGET's and LONG_BINPUT's index).
    @inline(__always)
    mutating func readUInt32() throws -> UInt32 {
        guard remaining >= 4 else { throw truncated }
        let value = loadUInt32(at: position)
        position += 4
        return value
    }

    mutating func readInt32() throws -> Int32 {
        Int32(truncatingIfNeeded: try readLittleEndian(width: 4))
    }

    /// BINFLOAT's 8-byte big-endian double.
    mutating func readBigEndianDouble() throws -> Double {
        guard remaining >= 8 else { throw truncated }
        var bits: UInt64 = 0
        for i in 0..<8 { bits = bits << 8 | UInt64(bytes[position + i]) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// `length` bytes announced by a length field: refused before anything is sliced if the input
    /// is shorter (`lengthBeyondInput`) or the length is above `limit` (`limitExceeded` naming `name`).
    mutating func readCounted(
        _ length: UInt64, limit: Int, name: UnpicklerLimit = .stringLength
    ) throws -> ArraySlice<UInt8> {
        bytes[try readCountedRange(length, limit: limit, name: name)]
    }

    /// Where the bytes ``readCounted(_:limit:name:)`` reads are, with its checks.
    @inline(__always)
    mutating func readCountedRange(
        _ length: UInt64, limit: Int, name: UnpicklerLimit = .stringLength
    ) throws -> Range<Int> {
        guard length <= UInt64(remaining) else {
            throw PickleError.lengthBeyondInput(opcode: opcode, length: length, offset: opcodeOffset, remaining: remaining)
        }
        guard length <= UInt64(limit) else {
            throw PickleError.limitExceeded(name, value: Int(length), offset: opcodeOffset)
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// The bytes up to the next newline, which is consumed; truncated without one, and refused
    /// beyond `limit` bytes.
    mutating func readLine(limit: Int) throws -> ArraySlice<UInt8> {
        guard let newline = bytes[position...].firstIndex(of: 0x0A) else { throw truncated }
        guard newline - position <= limit else {
            throw PickleError.limitExceeded(.stringLength, value: newline - position, offset: opcodeOffset)
        }
        let line = bytes[position..<newline]
        position = newline + 1
        return line
    }
}
