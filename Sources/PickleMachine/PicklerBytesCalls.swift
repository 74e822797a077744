// The stores that put bytes into the pickler's current piece: unsafe pointers stay in this file.

extension PicklerBytes {
    /// Stores `word` (8 bytes, least significant first) at `count`, and keeps its low `width` bytes.
    /// The caller made room for 8 bytes.
    @inline(__always)
    mutating func store(_ word: UInt64, width: Int) {
        precondition(current.count - count >= 8, "no room made for a store")
        let offset = count
        current.withUnsafeMutableBytes { $0.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self) }
        count += width
    }

    /// Appends `text` as UTF-8.
    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `bytes`.
    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private mutating func append(_ source: UnsafeRawBufferPointer) {
        guard !source.isEmpty else { return }
        makeRoom(forRun: source.count)
        let offset = count
        current.withUnsafeMutableBytes { target in
            precondition(target.count - offset >= source.count, "no room made for a run")
            (target.baseAddress! + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
        }
        count += source.count
    }
}
