// The only file of this module, besides the C and POSIX call files, RawMemory and NameBytesCalls, that stores
// through pointers into array storage: the zip writer builds each header in place in its output buffer, field by
// field (40,000 records have 120,000 headers and descriptors), each store checked against the header's range.

/// Little-endian fields stored one after another into a range of a byte array.
struct FieldStores {
    private let base: UnsafeMutableRawPointer
    private let end: Int
    private var offset: Int

    private init(base: UnsafeMutableRawPointer, start: Int, count: Int) {
        self.base = base
        self.offset = start
        self.end = start + count
    }

    /// Runs `body` over `bytes[index ..< index + count]`, which it must fill exactly.
    static func write(into bytes: inout [UInt8], at index: Int, count: Int, _ body: (inout FieldStores) -> Void) {
        precondition(index >= 0 && count >= 0 && index <= bytes.count - count, "field range out of bounds")
        guard count > 0 else { return }
        bytes.withUnsafeMutableBytes { raw in
            var fields = FieldStores(base: raw.baseAddress!, start: index, count: count)
            body(&fields)
            precondition(fields.offset == fields.end, "the fields do not fill their range")
        }
    }

    /// A new array of exactly the `count` bytes `body` stores.
    static func bytes(count: Int, _ body: (inout FieldStores) -> Void) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        write(into: &bytes, at: 0, count: count, body)
        return bytes
    }

    mutating func u16(_ value: UInt16) { store(value) }
    mutating func u32(_ value: UInt32) { store(value) }
    mutating func u64(_ value: UInt64) { store(value) }

    /// The low 4 or 8 bytes of `value`.
    mutating func littleEndian(_ value: UInt64, width: Int) {
        precondition(width == 8 || (width == 4 && value >> 32 == 0), "value does not fit the field")
        if width == 8 { store(value) } else { store(UInt32(truncatingIfNeeded: value)) }
    }

    mutating func bytes(_ source: [UInt8]) {
        precondition(end - offset >= source.count, "field past its range")
        source.withUnsafeBytes { from in
            if let address = from.baseAddress { (base + offset).copyMemory(from: address, byteCount: from.count) }
        }
        offset += source.count
    }

    mutating func repeating(_ byte: UInt8, count: Int) {
        precondition(count >= 0 && end - offset >= count, "field past its range")
        (base + offset).initializeMemory(as: UInt8.self, repeating: byte, count: count)
        offset += count
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T) {
        precondition(end - offset >= MemoryLayout<T>.size, "field past its range")
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }
}
