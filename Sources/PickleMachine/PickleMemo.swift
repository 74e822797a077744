/// The unpickler's memo: dense indices (the only kind CPython writes) in an array, any other index
/// in a dictionary, so a hostile index such as 0xFFFFFFFF allocates nothing.
struct PickleMemo {
    private var dense: [PickleValue?] = []
    private var sparse: [Int: PickleValue] = [:]
    /// Distinct indices stored; MEMOIZE uses it as the next index, as CPython does.
    private(set) var count = 0

    subscript(index: Int) -> PickleValue? {
        if index >= 0 && index < dense.count { return dense[index] }
        return sparse[index]
    }

    /// Whether storing at `index` would add an entry rather than replace one.
    func isNew(_ index: Int) -> Bool {
        self[index] == nil
    }

    mutating func store(_ value: PickleValue, at index: Int) {
        if isNew(index) { count += 1 }
        if index >= 0 && index < dense.count {
            dense[index] = value
        } else if index == dense.count && sparse.isEmpty {
            dense.append(value)
        } else {
            sparse[index] = value
        }
    }
}
