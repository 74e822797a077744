/// Adding nodes while unpickling: one record, its items copied straight into the slot array.
extension PickleGraph {
    /// Adds a node of `kind` whose items are `items`; returns its id.
    mutating func addRecord(
        _ kind: NodeKind, global: Int32 = -1, items: some Collection<PickleSlot>, args: PickleSlot = .none
    ) -> PickleNodeID {
        var record = NodeRecord(kind: kind)
        record.global = global
        record.args = args
        if !items.isEmpty {
            record.items = SlotRun(start: UInt32(slots.count), count: UInt32(items.count))
            slots.append(contentsOf: items)
        }
        records.append(record)
        return PickleNodeID(index: records.count - 1)
    }

    /// Adds a node of `kind` without items; returns its id.
    @inline(__always)
    mutating func addRecord(_ kind: NodeKind, global: Int32 = -1, args: PickleSlot = .none) -> PickleNodeID {
        var record = NodeRecord(kind: kind)
        record.global = global
        record.args = args
        records.append(record)
        return PickleNodeID(index: records.count - 1)
    }

    /// Adds a node of `kind` whose items are `source[range]` (the unpickler's stack), one slot at a time:
    /// a slice would be appended through the generic path, dearer for the few items of a tuple.
    @inline(__always)
    mutating func addRecord(_ kind: NodeKind, itemsOf source: [PickleSlot], in range: Range<Int>) -> PickleNodeID {
        var record = NodeRecord(kind: kind)
        if !range.isEmpty {
            record.items = SlotRun(start: UInt32(slots.count), count: UInt32(range.count))
            for index in range { slots.append(source[index]) }
        }
        records.append(record)
        return PickleNodeID(index: records.count - 1)
    }

    /// Appends one entry to dict `id`: in place while its run has room or ends the slot array, else through
    /// ``append(_:toEntries:of:)``, which moves the run.
    mutating func appendEntry(_ key: PickleSlot, _ value: PickleSlot, of id: PickleNodeID) {
        let run = records[id.index].entries
        let end = Int(run.start) + 2 * Int(run.count)
        if run.count < run.capacity {
            slots[end] = key
            slots[end + 1] = value
        } else if end == slots.count && run.count > 0 {
            slots.append(key)
            slots.append(value)
            records[id.index].entries.capacity += 1
        } else {
            append(CollectionOfTwo(key, value), toEntries: true, of: id)
            return
        }
        records[id.index].entries.count += 1
    }
}
