/// A name's hash over its UTF-8 bytes, and whether those are all ASCII (``NameBytes`` computes both).
struct NameKey {
    let hash: Int
    let isASCII: Bool
}

/// Record indices by name, for the reader (the central directory's names) and the writer (names as they are added).
///
/// Names compare as Swift strings do, by canonical equivalence: names that differ only in Unicode normalisation are
/// the same name, since tools may normalise names. Between ASCII names that is byte equality, so while every name
/// is ASCII (torch writes nothing else) the index is a table of record indices found by a seeded hash of the name's
/// bytes (a checkpoint of 40,000 records spent ten times as many instructions hashing its names as strings). From
/// the first other name on, every name is keyed by `String`, exactly as a dictionary of strings does; so is every
/// name once one would lie more than `maxProbes` slots from where its hash puts it (names made to collide), which
/// bounds every insertion and lookup.
struct RecordNameIndex {
    /// Open addressing with linear probing: 0 is an empty slot, else the high 32 bits of the name's hash (its
    /// tag) above the record index + 1. The tag also places the slot, so the table grows without the names.
    private var slots: [UInt64]
    private var count = 0
    /// The most slots past its first a name may lie (with half the slots empty, a handful at most).
    private static let maxProbes = 64
    /// Every name by string, once some name is not ASCII.
    private(set) var byString: [String: Int]?

    /// An index with room for `expectedCount` names before it grows.
    init(expectedCount: Int) {
        slots = Self.emptySlots(for: expectedCount)
    }

    /// Whether a name that is not ASCII must be looked up by string elsewhere (``find(_:key:isNamed:)`` cannot).
    var comparesBytes: Bool { byString == nil }

    /// Adds `name` as record `index` unless an equal name is there: then returns that name's index and changes
    /// nothing. `isNamed(j)` tells whether record `j` has exactly `name`'s bytes; `nameOf(j)` gives record `j`'s
    /// name (asked for every name so far when the first name that is not ASCII arrives).
    mutating func insert(
        _ name: String, index: Int, key: NameKey, isNamed: (Int) -> Bool, nameOf: (Int) -> String
    ) -> Int? {
        if byString == nil && !key.isASCII { keyByString(nameOf) }
        if byString != nil {
            if let first = byString![name] { return first }
            byString![name] = index
            return nil
        }
        precondition(index >= 0 && index < Int(UInt32.max), "record index")
        let tag = Self.tag(key.hash)
        var slot = bucket(tag)
        for _ in 0...Self.maxProbes {
            let held = slots[slot]
            if held == 0 {
                slots[slot] = UInt64(tag) << 32 | UInt64(index + 1)
                count += 1
                if count * 2 > slots.count { grow(nameOf) }
                return nil
            }
            if UInt32(truncatingIfNeeded: held >> 32) == tag, isNamed(Int(UInt32(truncatingIfNeeded: held)) - 1) {
                return Int(UInt32(truncatingIfNeeded: held)) - 1
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        // Names that collide this much were made to: strings, hashed as Swift hashes them, take over.
        keyByString(nameOf)
        return insert(name, index: index, key: key, isNamed: isNamed, nameOf: nameOf)
    }

    /// The index of the record called `name`. With ``comparesBytes``, `name` must be ASCII.
    func find(_ name: String, key: NameKey, isNamed: (Int) -> Bool) -> Int? {
        if let byString { return byString[name] }
        precondition(key.isASCII, "a name that is not ASCII is looked up by string")
        let tag = Self.tag(key.hash)
        var slot = bucket(tag)
        // Every name lies within `maxProbes` slots of its first.
        for _ in 0...Self.maxProbes {
            let held = slots[slot]
            if held == 0 { return nil }
            if UInt32(truncatingIfNeeded: held >> 32) == tag, isNamed(Int(UInt32(truncatingIfNeeded: held)) - 1) {
                return Int(UInt32(truncatingIfNeeded: held)) - 1
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    private static func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(hash)) >> 32)
    }

    /// The first slot to probe for `tag` (Fibonacci hashing: the product's top bits).
    private func bucket(_ tag: UInt32) -> Int {
        let bits = UInt64(slots.count.trailingZeroBitCount)
        return Int(truncatingIfNeeded: (UInt64(tag) &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
    }

    /// A power of two at least twice `count` (and at least 16), all empty.
    private static func emptySlots(for count: Int) -> [UInt64] {
        var capacity = 16
        while capacity < 2 * count { capacity *= 2 }
        return [UInt64](repeating: 0, count: capacity)
    }

    /// Doubles the table, placing each slot again by its tag; strings take over if a name would lie further than
    /// `maxProbes` slots from its first.
    private mutating func grow(_ nameOf: (Int) -> String) {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        for held in old where held != 0 {
            var slot = bucket(UInt32(truncatingIfNeeded: held >> 32))
            var probes = 0
            while slots[slot] != 0 {
                slot = (slot + 1) & (slots.count - 1)
                probes += 1
            }
            slots[slot] = held
            if probes > Self.maxProbes {
                slots = old
                keyByString(nameOf)
                return
            }
        }
    }

    /// Moves every name so far into ``byString``; the byte table is let go.
    private mutating func keyByString(_ nameOf: (Int) -> String) {
        var names: [String: Int] = [:]
        names.reserveCapacity(count)
        for held in slots where held != 0 {
            let index = Int(UInt32(truncatingIfNeeded: held)) - 1
            names[nameOf(index)] = index
        }
        byString = names
        slots = []
        count = 0
    }
}
