import TorchCheckpoint

/// The checkpoint's storages in file order, and each tensor's storage among them. Tensors usually view the
/// storages in the order the file lists them, so the next storage is tried first and the keys are indexed
/// only when a tensor looks back (tied weights, views) or ahead.
struct StorageFinder {
    private(set) var storages: [TorchStorage] = []
    private let checkpoint: Checkpoint
    private var next = 0
    private var positions: [String: Int]?
    /// Storages that tensors view but the file's order does not list, numbered after ``storages``.
    private var unlisted: [String: Int] = [:]

    init(_ checkpoint: Checkpoint) {
        self.checkpoint = checkpoint
        storages = checkpoint.storagesInOrder
    }

    /// The tensor's storage and its slot: its position in ``storages``, or a number past their end.
    mutating func storage(of tensor: TorchTensor) -> (TorchStorage, slot: Int) {
        if next < storages.count, storages[next].key == tensor.storageKey {
            next += 1
            return (storages[next - 1], next - 1)
        }
        if positions == nil {
            var positions: [String: Int] = [:]
            positions.reserveCapacity(storages.count)
            for (position, storage) in storages.enumerated() where positions[storage.key] == nil {
                positions[storage.key] = position
            }
            self.positions = positions
        }
        if let position = positions?[tensor.storageKey] {
            next = position + 1
            return (storages[position], position)
        }
        let slot = unlisted[tensor.storageKey] ?? storages.count + unlisted.count
        unlisted[tensor.storageKey] = slot
        return (checkpoint.storage(of: tensor), slot)
    }

    /// One more than the largest slot handed out.
    var slotCount: Int { storages.count + unlisted.count }
}
