extension PickleGraph {
    /// One entry of a dict being rewritten: one of its entries now (by position), or a new one.
    public enum EntryEdit: Sendable {
        case keep(Int)
        case insert(PickleDictEntry)
    }

    /// Rewrites node `id`'s entries as `edits` list them. A kept entry keeps its slots, so its key is not added
    /// to the string table again; and the entries take their old run's place when it has room, so a state dict
    /// of 40,000 keys that loses a few DAConv keys costs no new slots (``setEntries(of:_:)`` re-adds every key).
    public mutating func rewriteEntries(of id: PickleNodeID, _ edits: [EntryEdit]) {
        let old = records[id.index].entries
        var newSlots: [PickleSlot] = []
        newSlots.reserveCapacity(2 * edits.count)
        for edit in edits {
            switch edit {
            case .keep(let position):
                precondition(position >= 0 && position < Int(old.count), "entry position out of range")
                let start = Int(old.start) + 2 * position
                newSlots.append(slots[start])
                newSlots.append(slots[start + 1])
            case .insert(let entry):
                newSlots.append(slot(for: entry.key))
                newSlots.append(slot(for: entry.value))
            }
        }
        placeEntries(newSlots, of: id)
    }

    /// Makes `newSlots` (keys and values alternating) node `id`'s entries: over its run when they fit there
    /// (a node's run is its own), else in a new run at the end of the slot array.
    mutating func placeEntries(_ newSlots: [PickleSlot], of id: PickleNodeID) {
        var run = records[id.index].entries
        let count = newSlots.count / 2
        if count <= Int(run.capacity) {
            slots.replaceSubrange(Int(run.start)..<Int(run.start) + newSlots.count, with: newSlots)
            run.count = UInt32(count)
        } else {
            run = SlotRun(start: UInt32(slots.count), count: UInt32(count))
            slots += newSlots
        }
        records[id.index].entries = run
    }
}
