import CheckpointContainers

/// Checking every storage record of a zip checkpoint against the CRC-32 its central directory records.
///
/// torch never checks these, so a corrupted or tampered storage loads silently there; merge and verify
/// check them before they trust a byte, and name the record that fails.
extension Checkpoint {
    /// Verifies the CRC-32 of every storage record, each once (legacy files have no CRCs: nothing to do).
    public func verifyStorageChecksums() throws {
        try verifyStorageChecksums(except: [])
    }

    /// Verifies every storage record but those in `checkedOnRead`, which the caller reads whole with
    /// ``float32ValuesCheckingRecord(of:)`` before it trusts any output: a merge reads each DAConv weight
    /// once, not once for the check and once for the fold.
    public func verifyStorageChecksums(except checkedOnRead: Set<StorageSource>) throws {
        // Each storage has a record of its own (`data/<key>`; a legacy file's views share theirs, but it has no
        // CRCs): only the records checked on read are skipped, with no table of the others.
        var sources: [StorageSource] = []
        sources.reserveCapacity(storagesInOrder.count)
        for storage in storagesInOrder where !checkedOnRead.contains(storage.source) { sources.append(storage.source) }
        do {
            try bytes.verifyCRCs(sources)
        } catch {
            throw wrap(error)
        }
    }

    /// The record ``float32ValuesCheckingRecord(of:)`` checks while reading `tensor`: a stored zip record
    /// holding exactly the tensor's float32 values (a contiguous tensor that is its whole storage). Nil when
    /// the values are read otherwise; then ``verifyStorageChecksums()`` must check the record.
    public func recordCheckedOnRead(_ tensor: TorchTensor) -> StorageSource? {
        wholeRecord(of: tensor)?.source
    }

    /// ``float32Values(of:)``, and when ``recordCheckedOnRead(_:)`` names the tensor's record, its CRC-32
    /// checked over the values just read.
    public func float32ValuesCheckingRecord(of tensor: TorchTensor) throws -> [Float] {
        let values = try float32Values(of: tensor)
        guard let (_, expected, record) = wholeRecord(of: tensor) else { return values }
        let actual = CRC32.checksum(littleEndianFloat32: values)
        guard actual == expected else {
            throw wrap(ContainerError.crcMismatch(path: bytes.path, record: record, expected: expected, actual: actual))
        }
        return values
    }

    /// The stored zip record that is exactly `tensor`'s float32 values, with its recorded CRC-32.
    func wholeRecord(of tensor: TorchTensor) -> (source: StorageSource, crc: UInt32, record: String)? {
        let storage = storage(of: tensor)
        guard tensor.dtype == .float32, !format.isBigEndian, tensor.isContiguous, tensor.storageOffset == 0,
            tensor.byteCount == storage.byteCount,
            let (crc, record) = bytes.recordedCRC(storage.source, wholeRecordOf: storage.byteCount)
        else { return nil }
        return (storage.source, crc, record)
    }
}
