/// The unpickler's memo: dense indices (the only kind CPython writes) in an array, any other index
/// in a dictionary, so a hostile index such as 0xFFFFFFFF allocates nothing.
struct PickleMemo {
    /// ``PickleSlot/absent`` marks an index never stored.
    private var dense: [PickleSlot] = []
    private var sparse: [Int: PickleSlot] = [:]
    /// Distinct indices stored; MEMOIZE uses it as the next index, as CPython does.
    private(set) var count = 0

    subscript(index: Int) -> PickleSlot? {
        if index >= 0 && index < dense.count { return dense[index] == .absent ? nil : dense[index] }
        return sparse[index]
    }

    /// Whether storing at `index` would add an entry rather than replace one.
    func isNew(_ index: Int) -> Bool {
        self[index] == nil
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
