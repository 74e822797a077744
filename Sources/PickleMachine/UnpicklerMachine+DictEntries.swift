/// Setting dict entries with Python's semantics: a repeated key keeps its place and takes the new value.
///
/// String keys (every key of a state_dict) are compared and hashed as strings straight from the string table;
/// any other key through its ``PickleHashKey``. A string never equals a key of another kind, so the two
/// hashings never need to agree.
extension UnpicklerMachine {
    /// `dict[key] = value` for a dict node.
    mutating func setEntry(_ key: PickleSlot, _ value: PickleSlot, in id: PickleNodeID) throws {
        let dictKey = key.tag == .string ? DictKey.string(key.index) : .other(try hashKey(key))
        try noteContains(id, value)
        if let position = try entryPosition(of: dictKey, in: id) {
            graph.setEntryValueSlot(value, at: position, of: id)  // an existing key keeps its place
            return
        }
        // A refusal below ends the run, so the index need not forget the key.
        try countItems(1, existing: graph.entryCount(of: id))
        try noteContains(id, key)
        graph.appendEntry(key, value, of: id)
    }

    /// Dicts of up to this many entries are searched key by key, without an index: most dicts of a checkpoint are
    /// small (a state_dict's `_metadata` holds a `{'version': 1}` per module), and an index costs allocations.
    static let unindexedDictEntries = 8

    /// Where `key` sits in dict `id`'s entries, or nil when it is new (the index, if any, then takes it as the next
    /// position). A dict growing past ``unindexedDictEntries`` gets its index, built from the keys it holds.
    private mutating func entryPosition(of key: DictKey, in id: PickleNodeID) throws -> Int? {
        if tracking[id.index].slot < 0 {
            let count = graph.entryCount(of: id)
            if count < Self.unindexedDictEntries {
                for position in 0..<count where try matches(key, entryKey(position, of: id)) { return position }
                return nil
            }
            var index = DictKeyIndex()
            for position in 0..<count {
                let slot = entryKey(position, of: id)
                let existing = slot.tag == .string ? DictKey.string(slot.index) : .other(try hashKey(slot))
                _ = index.insert(hash: hash(of: existing)) { _ in false }  // the dict's keys are distinct
            }
            tracking[id.index].slot = Int32(dictIndexes.count)
            dictIndexes.append(index)
        }
        // Out of the array while probing, so that matching may read the machine.
        let slot = Int(tracking[id.index].slot)
        var index = DictKeyIndex.placeholder
        swap(&index, &dictIndexes[slot])
        defer { swap(&index, &dictIndexes[slot]) }
        let hash = hash(of: key)
        return index.insert(hash: hash) { position in
            // Keys in the dict were hashable when they went in, and stay so.
            (try? matches(key, entryKey(position, of: id))) ?? false
        }
    }

    private mutating func hash(of key: DictKey) -> Int {
        switch key {
        case .string(let index): return graph.strings[index].hashValue
        case .other(let hashKey): return hashKey.hashValue
        }
    }

    /// Whether the key in `slot` equals `key` as Python compares them.
    private mutating func matches(_ key: DictKey, _ slot: PickleSlot) throws -> Bool {
        switch key {
        case .string(let index):
            guard slot.tag == .string else { return false }
            return index == slot.index
                || ExactString(value: graph.strings[index]) == ExactString(value: graph.strings[slot.index])
        case .other(let hashKey):
            guard slot.tag != .string else { return false }
            return try self.hashKey(slot) == hashKey
        }
    }

    /// The key of entry `position` of node `id`.
    private mutating func entryKey(_ position: Int, of id: PickleNodeID) -> PickleSlot {
        graph.slots[Int(graph.records[id.index].entries.start) + 2 * position]
    }
}

/// A dict key as ``UnpicklerMachine/setEntry(_:_:in:)`` looks it up: a string by its place in the string table.
enum DictKey {
    case string(Int)
    case other(PickleHashKey)
}

/// Numbers a dict's keys by position, keeping only their hashes: the keys themselves are the dict's entries.
struct DictKeyIndex {
    private var table = HashSlots()

    /// What stands in the array while an index is out of it: made once, as a new index allocates its table.
    static let placeholder = DictKeyIndex()

    /// The position of the key hashed `hash` for which `isKey` holds; otherwise gives the next position to it
    /// and returns nil.
    mutating func insert(hash: Int, isKey: (Int) -> Bool) -> Int? {
        let (slot, position) = table.probe(hash: hash, isKey)
        if let position { return position }
        table.add(hash: hash, at: slot)
        return nil
    }
}
