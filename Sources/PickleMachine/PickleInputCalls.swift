/// The reads of pickle bytes that go through raw pointers, for the unpickler's hottest loops: loads of
/// multi-byte integers, and the ASCII check of strings a word at a time. Callers check bounds first.
extension PickleInput {
    /// The little-endian UInt32 at `offset`.
    func loadUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
    }

    /// The unsigned little-endian integer of `width` bytes (at most 8) at `offset`.
    func loadLittleEndian(at offset: Int, width: Int) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(raw[offset + i]) << (8 * UInt64(i)) }
            return value
        }
    }
}

extension PickleInput {
    /// The bytes in `range` as strict UTF-8 text, nil if they are not.
    func utf8Text(in range: Range<Int>) -> String? {
        bytes.withUnsafeBufferPointer { PickleText.utf8(UnsafeBufferPointer(rebasing: $0[range])) }
    }
}

enum PickleText {
    /// `bytes` as strict UTF-8, nil if they are not. ASCII (keys, storage names) is recognised eight bytes at a
    /// time and needs no validation beyond that.
    static func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { utf8($0) }
    }

    static func utf8(_ buffer: UnsafeBufferPointer<UInt8>) -> String? {
        let raw = UnsafeRawBufferPointer(buffer)
        var bits: UInt64 = 0
        var offset = 0
        while offset + 8 <= raw.count {
            bits |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < raw.count {
            bits |= UInt64(raw[offset])
            offset += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
            ? String(decoding: buffer, as: UTF8.self) : String(validating: buffer, as: UTF8.self)
    }
}
