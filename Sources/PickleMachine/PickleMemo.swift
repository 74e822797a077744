/// The unpickler's memo: dense indices (the only kind CPython writes) in an array, any other index
/// in a dictionary, so a hostile index such as 0xFFFFFFFF allocates nothing.
struct PickleMemo {
    /// ``PickleSlot/absent`` marks an index never stored.
    private var dense: [PickleSlot] = []
    private var sparse: [Int: PickleSlot] = [:]
    /// Distinct indices stored; MEMOIZE uses it as the next index, as CPython does.
    private(set) var count = 0

    @inline(__always)
    subscript(index: Int) -> PickleSlot? {
        if index >= 0 && index < dense.count { return dense[index] == .absent ? nil : dense[index] }
        return sparse[index]
    }

    /// Whether storing at `index` would add an entry rather than replace one.
    func isNew(_ index: Int) -> Bool {
        self[index] == nil
    }

    /// Whether `index` is the next dense one (as CPython numbers), which ``appendNext(_:)`` stores.
    @inline(__always)
    func isNext(_ index: Int) -> Bool {
        index == dense.count && sparse.isEmpty
    }

    /// Stores at the next dense index: a new entry.
    @inline(__always)
    mutating func appendNext(_ value: PickleSlot) {
        dense.append(value)
        count += 1
    }

    mutating func store(_ value: PickleSlot, at index: Int) {
        if index == dense.count && sparse.isEmpty {
            dense.append(value)
            count += 1
            return
        }
        if isNew(index) { count += 1 }
        if index >= 0 && index < dense.count {
            dense[index] = value
        } else {
            sparse[index] = value
        }
    }
}
