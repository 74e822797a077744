import TorchCheckpoint

/// ``CheckpointInspection/modules`` as flat arrays: the distinct tensors' state-dict names copied once into one
/// byte buffer, the tensors ordered module after module, prefixes and leaf names as ranges of that buffer.
/// Tensors of one module usually follow each other, so a prefix is looked up only when it changes.
struct ModuleGroups {
    /// The distinct tensors' state-dict names (UTF-8), one after another.
    private(set) var names: [UInt8] = []
    /// Each module's prefix in ``names``, in order of first appearance.
    private(set) var prefixes: [Range<Int>] = []
    /// Positions in `tensors`, module after module (tensor order within a module).
    private(set) var tensor: [Int] = []
    /// Each of them's state-dict name in ``names``.
    private(set) var name: [Range<Int>] = []
    /// Each of them's last dotted component (its leaf name) in ``names``.
    private(set) var leaf: [Range<Int>] = []
    /// Where each module's tensors start in ``tensor``, and where the last module's end.
    private var starts: [Int] = [0]

    init(_ tensors: [CheckpointInspection.NamedTensor]) {
        var moduleOf: [Int] = []
        moduleOf.reserveCapacity(tensors.count)
        tensor.reserveCapacity(tensors.count)
        name.reserveCapacity(tensors.count)
        leaf.reserveCapacity(tensors.count)
        var counts: [Int] = []
        var index = PrefixIndex()
        /// Whether each module's tensors follow each other, so that they are already in module order.
        var inOrder = true
        for position in tensors.indices where tensors[position].aliasOf == nil {
            let start = names.count
            TableBytesCalls.append(tensors[position].stateDictName, to: &names)
            var dot = names.count
            while dot > start, names[dot - 1] != UInt8(ascii: ".") { dot -= 1 }
            let prefix = start..<max(start, dot - 1)
            var module = counts.count - 1
            if module < 0 || !TableBytesCalls.equal(names, prefixes[module], prefix) {
                module = index.module(names, prefix, prefixes)
                if module == prefixes.count {
                    index.add(names, prefix, module: module)
                    prefixes.append(prefix)
                    counts.append(0)
                } else {
                    inOrder = false
                }
            }
            counts[module] += 1
            moduleOf.append(module)
            tensor.append(position)
            name.append(start..<names.count)
            leaf.append(dot..<names.count)
        }
        starts.reserveCapacity(counts.count + 1)
        for count in counts { starts.append(starts[starts.count - 1] + count) }
        if !inOrder { sortByModule(moduleOf) }
    }

    /// Reorders the tensors module after module (a counting sort: tensor order within a module).
    private mutating func sortByModule(_ moduleOf: [Int]) {
        var next = starts
        var order = [Int](repeating: 0, count: moduleOf.count)
        for (found, module) in moduleOf.enumerated() {
            order[next[module]] = found
            next[module] += 1
        }
        tensor = order.map { tensor[$0] }
        name = order.map { name[$0] }
        leaf = order.map { leaf[$0] }
    }

    /// Positions in ``tensor`` of the module's tensors.
    func members(of module: Int) -> Range<Int> {
        starts[module]..<starts[module + 1]
    }

    /// The member's last non-empty dotted component, as `split(separator: ".").last` reads it (by characters:
    /// a dot followed by a combining mark is no separator).
    func lastComponent(_ member: Int) -> String {
        let range = name[member]
        guard TableBytesCalls.isASCII(names, range) else {
            return String(String(decoding: names[range], as: UTF8.self).split(separator: ".").last ?? "")
        }
        var end = range.upperBound
        while end > range.lowerBound, names[end - 1] == UInt8(ascii: ".") { end -= 1 }
        var start = end
        while start > range.lowerBound, names[start - 1] != UInt8(ascii: ".") { start -= 1 }
        return String(decoding: names[start..<end], as: UTF8.self)
    }

    /// A prefix as Swift reads it.
    func prefix(_ module: Int) -> String {
        String(decoding: names[prefixes[module]], as: UTF8.self)
    }
}

/// Modules by prefix: an open-addressing table of module numbers hashed on the prefix's bytes. Swift's
/// `String` equality is canonical equivalence (`"\u{212A}" == "K"`), which a byte hash cannot see, so once a
/// non-ASCII prefix appears every prefix is looked up by `String` instead.
private struct PrefixIndex {
    private var slots = [Int32](repeating: -1, count: 64)
    /// Each module's hash, for growing the table.
    private var hashes: [Int] = []
    private var canonical: [String: Int]?

    /// The module with this prefix, or `modules.count` if there is none.
    mutating func module(_ names: [UInt8], _ prefix: Range<Int>, _ modules: [Range<Int>]) -> Int {
        if canonical == nil, !TableBytesCalls.isASCII(names, prefix) {
            var canonical: [String: Int] = [:]
            for (module, range) in modules.enumerated() { canonical[Self.string(names, range)] = module }
            self.canonical = canonical
        }
        if let canonical { return canonical[Self.string(names, prefix)] ?? modules.count }
        var slot = Self.hash(names, prefix) & (slots.count - 1)
        while slots[slot] >= 0 {
            let module = Int(slots[slot])
            if TableBytesCalls.equal(names, modules[module], prefix) { return module }
            slot = (slot + 1) & (slots.count - 1)
        }
        return modules.count
    }

    /// Records a new module (after ``module(_:_:_:)`` found none).
    mutating func add(_ names: [UInt8], _ prefix: Range<Int>, module: Int) {
        if canonical != nil {
            canonical![Self.string(names, prefix)] = module
            return
        }
        hashes.append(Self.hash(names, prefix))
        if 2 * hashes.count > slots.count { grow() }
        insert(hashes[module], module: module)
    }

    private mutating func insert(_ hash: Int, module: Int) {
        var slot = hash & (slots.count - 1)
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Int32(module)
    }

    private mutating func grow() {
        let old = slots
        slots = [Int32](repeating: -1, count: 2 * old.count)
        for module in old where module >= 0 { insert(hashes[Int(module)], module: Int(module)) }
    }

    private static func hash(_ names: [UInt8], _ range: Range<Int>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in range { hash = (hash ^ UInt64(names[index])) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    private static func string(_ names: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: names[range], as: UTF8.self)
    }
}
