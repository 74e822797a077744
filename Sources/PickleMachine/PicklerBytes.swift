/// The bytes of a pickle being written, in pieces whose concatenation is the pickle.
///
/// The current piece is kept zero-filled ahead of what is written (a chunk at a time, so no more memory is
/// touched than is about to be used), so an opcode and its argument go in with one store, not byte by byte
/// through `append`. A pickle that outgrows the first piece continues in pieces of `pieceSize` (or the size of
/// one longer string): an array that grew by doubling held the old and the new bytes at once, and kept up to
/// twice the pickle's size.
struct PicklerBytes {
    /// Full pieces, in order, before `current`.
    private var pieces: [[UInt8]] = []
    /// The piece being written: bytes before `count` are the pickle's, the rest zeros to write into.
    var current: [UInt8]
    var count: Int

    static let pieceSize = 1 << 20
    /// Zeros made ahead at a time.
    private static let fillChunk = 1 << 16

    /// Bytes starting with `first`, with room for `reserved` bytes in all before a second piece.
    init(_ first: [UInt8], reserving reserved: Int) {
        current = first
        count = first.count
        current.reserveCapacity(reserved)
    }

    /// Appends the low `width` bytes of `word` (at most 8), least significant first.
    @inline(__always)
    mutating func append(_ word: UInt64, width: Int) {
        if current.count - count < 8 { makeRoom(8) }
        store(word, width: width)
    }

    /// An opcode and the low `width` bytes of its argument (at most 7), little-endian.
    @inline(__always)
    mutating func append(_ opcode: PickleOpcode, _ argument: UInt64 = 0, width: Int = 0) {
        append(UInt64(opcode.rawValue) | argument << 8, width: 1 + width)
    }

    /// Makes room for `needed` bytes written at once (an opcode and its argument, which may be long), in the
    /// current piece or in a new one.
    @inline(__always)
    mutating func makeRoom(forRun needed: Int) {
        if current.count - count < needed + 8 { makeRoom(needed + 8) }
    }

    /// Zeros ahead of `count` for `needed` bytes at least: more of the current piece's capacity, or a new piece.
    @inline(never)
    private mutating func makeRoom(_ needed: Int) {
        if current.capacity - count < needed {
            current.removeLast(current.count - count)
            pieces.append(current)
            current = []
            current.reserveCapacity(max(Self.pieceSize, needed))
            count = 0
        }
        let end = min(current.capacity, count + max(needed, Self.fillChunk))
        current.append(contentsOf: repeatElement(0, count: end - current.count))  // stored in place, no temporary
    }

    /// The pickle's bytes in pieces, in order; nothing is left afterwards.
    mutating func takePieces() -> [[UInt8]] {
        current.removeLast(current.count - count)
        let all = pieces + [current]
        pieces = []
        current = []
        count = 0
        return all
    }
}
