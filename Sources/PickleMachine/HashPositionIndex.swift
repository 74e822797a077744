/// Numbers distinct keys by first appearance (0, 1, 2, ...): the key index of a dict being
/// unpickled (position = place in `entries`) and the pickler's memo of strings, bytes and globals.
///
/// Open addressing over hashes computed once per key with Swift's seeded hasher (so hostile keys
/// cannot force collisions); growing rehashes nothing, which a `Dictionary` of large string keys
/// would, and the tables stay small.
struct HashPositionIndex<Key: Hashable> {
    private var keys: [Key] = []
    private var hashes: [Int] = []
    /// Positions in `keys`, -1 for an empty slot; a power of two long, at most half full.
    private var slots: [Int] = [Int](repeating: -1, count: 8)

    var count: Int { keys.count }

    /// The position of `key` if it is present; otherwise gives it the next position and returns nil.
    mutating func insert(_ key: Key) -> Int? {
        let hash = key.hashValue
        let (slot, position) = probe(key, hash: hash)
        if let position { return position }
        slots[slot] = keys.count
        keys.append(key)
        hashes.append(hash)
        if keys.count * 2 > slots.count { grow() }
        return nil
    }

    /// The position of `key`, nil if it is absent.
    func position(of key: Key) -> Int? {
        probe(key, hash: key.hashValue).position
    }

    /// The slot holding `key` and its position, or the empty slot where it would go.
    private func probe(_ key: Key, hash: Int) -> (slot: Int, position: Int?) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 {
            let position = slots[slot]
            if hashes[position] == hash && keys[position] == key { return (slot, position) }
            slot = (slot + 1) & mask
        }
        return (slot, nil)
    }

    private mutating func grow() {
        let count = slots.count * 2
        slots = [Int](repeating: -1, count: count)
        let mask = count - 1
        for (position, hash) in hashes.enumerated() {
            var slot = hash & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = position
        }
    }
}
