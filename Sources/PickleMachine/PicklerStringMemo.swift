/// The strings a pickler has written and the memo index of each, found again by value (exact code points,
/// as ``ExactString`` compares them) as CPython finds the same string object again.
///
/// A string is kept as where its text is (its place in the graph's string table, or in a short list of the
/// strings a writer gave instead of the graph's), not as a copy of the string in a hashable key: 24 bytes per
/// string in all (a state dict of 40,000 tensors writes 90,000 strings) and no key made or copied per string.
/// Open addressing over hashes from Swift's seeded hasher, so hostile strings cannot force collisions.
struct PicklerStringMemo {
    private let graphStrings: [String]
    /// Strings met that are not in the graph's table.
    private var otherStrings: [String] = []
    /// Per string met, in order: where its text is (a graph index, or `-1 - i` for `otherStrings[i]`), its
    /// hash and its memo index.
    private var origins: [Int32] = []
    private var hashes: [Int] = []
    private(set) var memoIndexes: [Int] = []
    /// Positions in `origins`, -1 for an empty slot; a power of two long, at most half full.
    private var slots = [Int32](repeating: -1, count: 8)

    var count: Int { origins.count }

    init(graphStrings: [String]) {
        self.graphStrings = graphStrings
    }

    /// The position of a string equal to `text` if one was met; otherwise records `text` (string
    /// `graphIndex` of the graph, or one of the writer's when nil) with memo index `memoIndex` and returns nil.
    mutating func find(_ text: String, graphIndex: Int?, memoIndex: Int) -> Int? {
        var hasher = Hasher()
        hasher.combine(text)
        let hash = hasher.finalize()
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 {
            let position = Int(slots[slot])
            if hashes[position] == hash && Self.exactlyEqual(self.text(at: position), text) { return position }
            slot = (slot + 1) & mask
        }
        precondition(origins.count < Int(Int32.max), "more strings than a memo numbers")
        slots[slot] = Int32(origins.count)
        if let graphIndex {
            origins.append(Int32(graphIndex))
        } else {
            origins.append(-1 - Int32(otherStrings.count))
            otherStrings.append(text)
        }
        hashes.append(hash)
        memoIndexes.append(memoIndex)
        if origins.count * 2 > slots.count { grow() }
        return nil
    }

    private func text(at position: Int) -> String {
        let origin = Int(origins[position])
        return origin >= 0 ? graphStrings[origin] : otherStrings[-1 - origin]
    }

    /// Swift's `==` first (a fast byte comparison for ASCII), then the bytes: Swift also equates canonically
    /// equivalent strings, which Python does not.
    private static func exactlyEqual(_ a: String, _ b: String) -> Bool {
        a == b && a.utf8.elementsEqual(b.utf8)
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
