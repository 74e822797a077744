/// The strings a pickler has written and the memo index of each, found again by value (exact code points,
/// as ``ExactString`` compares them) as CPython finds the same string object again.
///
/// A string is kept as where its text is (its place in the graph's string table, or in a short list of the
/// strings a writer gave instead of the graph's), not as a copy of the string in a hashable key: 24 bytes per
/// string in all (a state dict of 40,000 tensors writes 90,000 strings) and no key made or copied per string.
/// Open addressing over hashes from Swift's seeded hasher, so hostile strings cannot force collisions.
struct PicklerStringMemo {
    let graphStrings: [String]
    /// Strings met that are not in the graph's table.
    private var otherStrings: [String] = []
    /// Per string met, in order: where its text is (a graph index, or `-1 - i` for `otherStrings[i]`), and its
    /// memo index.
    private var origins: [Int32] = []
    private(set) var memoIndexes: [Int] = []
    private var table = HashSlots()

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
        let (slot, found) = table.probe(hash: hash) { Self.exactlyEqual(self.text(at: $0), text) }
        if let found { return found }
        if let graphIndex {
            origins.append(Int32(graphIndex))
        } else {
            origins.append(-1 - Int32(otherStrings.count))
            otherStrings.append(text)
        }
        memoIndexes.append(memoIndex)
        table.add(hash: hash, at: slot)
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
}
