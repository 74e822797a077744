/// A draft's storages: the input checkpoint's, each copied as it is, and those the draft adds.
///
/// The input's are found through the checkpoint's own table when asked for, not kept in a second one: a
/// state dict of 40,000 tensors would otherwise hold a second table of 40,000 storages (9 MB) while writing.
public struct DraftStorages: Sendable {
    private let input: Checkpoint
    /// Computed and inline storages, by keys no input storage uses.
    private var added: [String: DraftStorage] = [:]
    private var nextAddedKey = 0

    init(copying input: Checkpoint) {
        self.input = input
    }

    /// The storage under `key`, if the draft has one.
    public subscript(key: String) -> DraftStorage? {
        // Added keys are never the input's (``add(_:)``), so the input's table is asked first: nearly every key
        // is found there with one hash.
        guard let storage = input.storages[key] else { return added[key] }
        return DraftStorage(
            dtype: storage.dtype, elementCount: storage.elementCount, isUntyped: storage.isUntyped,
            content: .copy(input, storage))
    }

    /// How many storages the draft has: the input's and those it added.
    public var count: Int { input.storages.count + added.count }

    /// Keys of the storages the draft added whose content passes `isIncluded`.
    public func addedKeys(where isIncluded: (DraftStorage.Content) -> Bool) -> Set<String> {
        Set(added.filter { isIncluded($0.value.content) }.keys)
    }

    /// Adds `storage` under a new key, `computed:N`, and returns the key. A key the input uses is skipped: a
    /// file may name a storage anything, and a second storage under its key would take its place.
    mutating func add(_ storage: DraftStorage) -> String {
        var key = "computed:\(nextAddedKey)"
        while input.storages[key] != nil || added[key] != nil {
            nextAddedKey += 1
            key = "computed:\(nextAddedKey)"
        }
        nextAddedKey += 1
        added[key] = storage
        return key
    }
}
