/// How CPython's C pickler (`_pickle.c`) splits a container's items into MARK ... APPENDS /
/// SETITEMS batches of at most 1000, which differs by container: the tests compare the bytes.
enum PicklerBatching {
    /// An exact list (`batch_list_exact`): one item alone gets APPEND; otherwise every batch,
    /// even a last one of one item, is marked.
    case list
    /// An exact dict (`batch_dict_exact`): one item alone gets SETITEM; otherwise every batch is
    /// marked, and a size that is a multiple of 1000 ends with an empty MARK SETITEMS.
    case dict
    /// Items that come from an iterator (`batch_list` / `batch_dict`: OrderedDict items, object
    /// list and dict items): a last batch of one item is unmarked.
    case iterator
    /// A tuple's items: one unmarked run, no closing opcode.
    case plain

    static let batchSize = 1000

    /// One batch: `count` elements from `start`, preceded by MARK if `marked`.
    struct Batch {
        var start: Int
        var count: Int
        var marked: Bool
    }

    /// The batches for `count` elements.
    func batches(count: Int) -> [Batch] {
        var result: [Batch] = []
        while let batch = batch(result.count, count: count) { result.append(batch) }
        return result
    }

    /// Batch `index` of `count` elements, nil past the last: computed, so writing a node makes no list of them.
    func batch(_ index: Int, count: Int) -> Batch? {
        if self == .plain { return index == 0 ? Batch(start: 0, count: count, marked: false) : nil }
        guard count > 0 else { return nil }
        if count == 1 && self != .iterator { return index == 0 ? Batch(start: 0, count: 1, marked: false) : nil }
        let regular = (count + Self.batchSize - 1) / Self.batchSize
        if index < regular {
            let start = index * Self.batchSize
            let size = min(Self.batchSize, count - start)
            return Batch(start: start, count: size, marked: self != .iterator || size > 1)
        }
        // A dict whose size is a multiple of 1000 ends with an empty MARK SETITEMS.
        if index == regular && self == .dict && count % Self.batchSize == 0 {
            return Batch(start: count, count: 0, marked: true)
        }
        return nil
    }
}
