/// The unpickler's stack. Items at `count` and above are stale leftovers, so dropping the items a tuple or call
/// took is one subtraction, and popping checks no uniqueness (the array only ever grows to the deepest point,
/// which the stack-size limit bounds).
struct UnpicklerStack {
    /// The items, then stale ones from `count` on.
    private(set) var slots: [PickleSlot] = []
    /// Items on the stack.
    private(set) var count = 0

    @inline(__always)
    mutating func append(_ value: PickleSlot) {
        if count < slots.count {
            slots[count] = value
        } else {
            slots.append(value)
        }
        count += 1
    }

    /// Pops the top item; the caller checked that there is one.
    @inline(__always)
    mutating func removeLast() -> PickleSlot {
        precondition(count > 0, "pop of an empty stack")
        count -= 1
        return slots[count]
    }

    var last: PickleSlot? { count > 0 ? slots[count - 1] : nil }

    /// Item `index`, below `count`.
    subscript(index: Int) -> PickleSlot {
        get {
            precondition(index < count, "stack index beyond the top")
            return slots[index]
        }
        set {
            precondition(index < count, "stack index beyond the top")
            slots[index] = newValue
        }
    }

    /// Drops the items from `height` up.
    mutating func truncate(to height: Int) {
        precondition(height >= 0 && height <= count, "stack height out of range")
        count = height
    }

    /// The items from `start` up, bottom first.
    func items(from start: Int) -> [PickleSlot] {
        Array(slots[start..<count])
    }
}
