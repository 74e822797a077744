/// Numbers distinct keys by first appearance (0, 1, 2, ...): the pickler's memo of strings, bytes and globals.
///
/// Open addressing over hashes computed once per key with Swift's seeded hasher (so hostile keys
/// cannot force collisions); growing rehashes nothing, which a `Dictionary` of large string keys
/// would, and the tables stay small.
struct HashPositionIndex<Key: Hashable> {
    private var keys: [Key] = []
    private var table = HashSlots()

    var count: Int { keys.count }

    /// The position of `key` if it is present; otherwise gives it the next position and returns nil.
    mutating func insert(_ key: Key) -> Int? {
        let hash = key.hashValue
        let (slot, position) = table.probe(hash: hash) { keys[$0] == key }
        if let position { return position }
        keys.append(key)
        table.add(hash: hash, at: slot)
        return nil
    }

    /// The position of `key`, nil if it is absent.
    func position(of key: Key) -> Int? {
        table.probe(hash: key.hashValue) { keys[$0] == key }.position
    }
}
