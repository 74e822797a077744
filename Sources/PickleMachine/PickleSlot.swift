/// One value as the graph stores it: 8 bytes, no reference counting.
///
/// The low 4 bits say what the value is, the other 60 bits hold it: a small integer itself, a node's
/// index, or a position in the graph's string table or scalar table (floats, big integers, bytes). Values
/// are ``PickleValue``s again when read through the graph.
@usableFromInline
struct PickleSlot: Hashable, Sendable {
    @usableFromInline let bits: UInt64

    @usableFromInline
    enum Tag: UInt64 {
        case none = 0
        case falseValue, trueValue, int, node, string, scalar
        /// No value at all: a node without BUILD state.
        case absent
    }

    @inlinable
    init(_ tag: Tag, _ payload: UInt64 = 0) {
        bits = payload << 4 | tag.rawValue
    }

    @inlinable
    var tag: Tag { Tag(rawValue: bits & 0xF)! }

    /// The payload as an index or node index.
    @inlinable
    var index: Int { Int(bits >> 4) }

    /// The payload of an `int` slot, sign-extended from 60 bits.
    @inlinable
    var int: Int64 { Int64(bitPattern: bits) >> 4 }

    static let none = PickleSlot(.none)
    static let absent = PickleSlot(.absent)

    static func bool(_ value: Bool) -> PickleSlot { PickleSlot(value ? .trueValue : .falseValue) }

    static func node(_ index: Int) -> PickleSlot { PickleSlot(.node, UInt64(index)) }

    /// Integers of 60 bits fit in the slot.
    static func smallInt(_ value: Int64) -> PickleSlot? {
        guard value >= -(1 << 59) && value < 1 << 59 else { return nil }
        return PickleSlot(.int, UInt64(bitPattern: value) & (UInt64.max >> 4))
    }

    // By the bits: `tag` goes through `Tag(rawValue:)`, a call on paths taken for every item unpickled.
    var isNode: Bool { bits & 0xF == Tag.node.rawValue }

    /// The node of a node slot.
    var nodeID: PickleNodeID? { isNode ? PickleNodeID(index: index) : nil }
}
