/// Entries 0, 1, 2, ... found again by their hashes: open addressing over a table a power of two long and at
/// most half full, holding each entry's position. Growing rehashes nothing (the hashes are kept), which a
/// `Dictionary` of large string keys would. The entries themselves are the owner's: ``HashPositionIndex`` keeps
/// its keys, ``PicklerStringMemo`` where each string's text is.
struct HashSlots {
    private var slots = [Int32](repeating: -1, count: 8)
    private var hashes: [Int] = []

    var count: Int { hashes.count }

    /// The entry with hash `hash` for which `isEntry` holds, or the empty slot where a new one goes.
    @inline(__always)
    func probe(hash: Int, _ isEntry: (Int) -> Bool) -> (slot: Int, position: Int?) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 {
            let position = Int(slots[slot])
            if hashes[position] == hash && isEntry(position) { return (slot, position) }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    /// Gives the next position to a new entry of hash `hash`, in `slot` (the empty slot `probe` found).
    mutating func add(hash: Int, at slot: Int) {
        precondition(hashes.count < Int(Int32.max), "more entries than a hash table numbers")
        slots[slot] = Int32(hashes.count)
        hashes.append(hash)
        if hashes.count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let count = slots.count * 2
        slots = [Int32](repeating: -1, count: count)
        let mask = count - 1
        for (position, hash) in hashes.enumerated() {
            var slot = hash & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position)
        }
    }
}
