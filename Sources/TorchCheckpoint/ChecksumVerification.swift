/// Checking every storage record of a zip checkpoint against the CRC-32 its central directory records.
///
/// torch never checks these, so a corrupted or tampered storage loads silently there; merge and verify
/// check them before they trust a byte, and name the record that fails.
extension Checkpoint {
    /// Verifies the CRC-32 of every storage record, each once (legacy files have no CRCs: nothing to do).
    public func verifyStorageChecksums() throws {
        var checked = Set<StorageSource>()
        for key in storageOrder {
            guard let storage = storages[key], checked.insert(storage.source).inserted else { continue }
            try verifyCRC(of: storage)
        }
    }
}
