/// Writes a new zip archive of stored records byte for byte as `torch.save` writes its checkpoints
/// (`PyTorchStreamWriter` over miniz; pth-format.md §1.3–1.6): every record's data starts on an
/// alignment boundary (64 bytes by default) so it can be memory-mapped and read in place, padded by
/// torch's 'FB' extra field; CRC and sizes follow each record in a data descriptor; zip64 end
/// records always, zip64 fields where sizes or offsets need them. A caller that writes torch's
/// records in torch's order gets `torch.save`'s file, which is what lets it also write
/// `.format_version` (a promise that the layout is torch's own).
///
/// Records are only described by `addStored`, which returns where each one's data will start;
/// their bytes are pulled, in order, when `finish()` runs, and stream through a few large buffers:
/// each chunk is checksummed (CRC-32) and copied out as it comes (a `ZipRecordFiller` writes into
/// the buffers directly), and a background thread writes the buffers while the next ones fill. Memory use does not grow with the archive. Identical input
/// gives identical output (no times, nothing from the machine). The file is created exclusively
/// (never replacing anything) by `finish()`; if anything fails, the partly written file is removed.
/// Callers wanting an atomic replacement write to a temporary path and rename it themselves.
public final class ZipArchiveWriter {
    /// The pieces a `ZipRecordFiller` is asked for end at the multiples of this size (256 KiB).
    public static let fillPieceSize = ArchiveOutput.pieceSize

    /// The archive being created.
    public let path: String
    /// The boundary every record's data starts on.
    public let alignment: UInt64
    private var layout: TorchZipLayout
    private var planned: [PlannedRecord] = []
    private var names: Set<String> = []
    /// The last producer added and how it gives its bytes: a writer adds one filler for many records (a
    /// checkpoint's copied storages), which is then asked what it is once.
    private var lastProducer: (object: ZipRecordProducer, source: PlannedRecord.Source)?
    /// The bytes of one header or descriptor at a time, reused (not an array made per record).
    private var scratch: [UInt8] = []
    private var isOpen = true

    /// Prepares a new archive at `path`; throws `fileExists` if something is already there
    /// (checked again, atomically, when `finish()` creates the file).
    ///
    /// - Parameter alignment: a power of two up to 32768; torch's default is 64.
    public init(path: String, alignment: UInt64 = 64) throws {
        if pathExists(path) { throw ContainerError.fileExists(path: path) }
        self.path = path
        self.alignment = alignment
        self.layout = TorchZipLayout(alignment: alignment)
    }

    /// Adds a record whose bytes are already in memory (kept until `finish()`).
    ///
    /// - Returns: the file offset its data will start at.
    @discardableResult
    public func addStored(name: String, bytes: [UInt8]) throws -> UInt64 {
        try addStored(name: name, size: UInt64(bytes.count), producer: ArrayProducer(bytes))
    }

    /// Adds a record of exactly `size` bytes that `producer` supplies during `finish()`.
    ///
    /// - Returns: the file offset its data will start at.
    @discardableResult
    public func addStored(name: String, size: UInt64, producer: ZipRecordProducer) throws -> UInt64 {
        precondition(isOpen, "addStored after finish() or discard()")
        let nameBytes = Array(name.utf8)
        if let reason = RecordNameRules.problem(with: nameBytes) {
            throw ContainerError.unsafeRecordName(path: path, name: name, reason: reason)
        }
        // One hash per name: a duplicate is refused as it is inserted (and a refused record's name taken out).
        guard names.insert(name).inserted else { throw ContainerError.duplicateRecordName(path: path, name: name) }
        guard let placement = layout.place(nameLength: nameBytes.count, size: size) else {
            names.remove(name)
            throw ContainerError.recordTooLarge(
                path: path, record: name, size: size, limit: layout.largestSize(nameLength: nameBytes.count))
        }
        planned.append(PlannedRecord(nameBytes: nameBytes, placement: placement, source: source(of: producer)))
        return placement.dataOffset
    }

    private func source(of producer: ZipRecordProducer) -> PlannedRecord.Source {
        if let last = lastProducer, last.object === producer { return last.source }
        let source: PlannedRecord.Source
        if let held = producer as? ZipHeldRecordProducer {
            source = .held(held)
        } else if let filler = producer as? ZipRecordFiller {
            source = .filler(filler)
        } else {
            source = .chunks(producer)
        }
        lastProducer = (producer, source)
        return source
    }

    /// Creates the file and writes the archive, pulling every producer in order.
    ///
    /// A producer's error is rethrown unchanged; a producer that yields more or fewer bytes than
    /// declared fails with `recordSizeMismatch`. Either way no file is left at `path`.
    public func finish() throws {
        precondition(isOpen, "finish() called twice or after discard()")
        isOpen = false
        names = []
        lastProducer = nil
        let directorySize = planned.reduce(0) { $0 + TorchZipHeaders.centralEntryLength($1.nameBytes.count, $1.placement) }
        let size = layout.nextHeaderOffset + UInt64(directorySize) + UInt64(TorchZipHeaders.endRecordsLength)
        let output = try ArchiveOutput(creating: path, expectedSize: size)
        do {
            var crcs: [UInt32] = []
            crcs.reserveCapacity(planned.count)
            for index in planned.indices {
                crcs.append(try stream(planned[index], to: output))
                planned[index].source = .written  // each producer is released once written
            }
            try writeDirectory(of: planned, crcs: crcs, to: output)
            planned = []
            precondition(output.position == size, "the archive's length differs from its layout")
            try output.commit()
        } catch {
            output.rollback()
            throw error
        }
    }

    /// Abandons the archive; nothing is written.
    public func discard() {
        isOpen = false
        planned = []
    }

    /// Writes one record: local header, the producer's bytes (checksummed as they pass), descriptor; returns
    /// the bytes' CRC-32.
    private func stream(_ record: PlannedRecord, to output: ArchiveOutput) throws -> UInt32 {
        precondition(output.position == record.placement.headerOffset, "the output differs from the layout")
        scratch.removeAll(keepingCapacity: true)
        TorchZipHeaders.appendLocalHeader(name: record.nameBytes, placement: record.placement, to: &scratch)
        try output.append(scratch)
        var crc = CRC32Accumulator()  // on this thread only: the other core is busy with the writes
        switch record.source {
        case .held(let held):
            let bytes = try held.heldBytes()
            guard UInt64(bytes.count) == record.placement.size else {
                throw ContainerError.recordSizeMismatch(
                    path: path, record: record.name, declared: record.placement.size, actual: UInt64(bytes.count))
            }
            crc.addSerially(bytes)
            try output.appendHeld(bytes)
        case .filler(let filler):
            try output.appendFilled(count: record.placement.size) { buffer, index, count in
                try filler.fill(&buffer, at: index, count: count)
                crc.addSerially(buffer[index..<index + count])
            }
        case .chunks(let producer):
            let feed = RecordFeed(
                archivePath: path, name: record.name, declaredSize: record.placement.size, producer: producer)
            while let chunk = try feed.nextChunk() {
                try output.append(chunk[...]) { crc.addSerially($0) }
            }
        case .written: preconditionFailure("a record is written once")
        }
        scratch.removeAll(keepingCapacity: true)
        TorchZipHeaders.appendDataDescriptor(crc32: crc.value, placement: record.placement, to: &scratch)
        try output.append(scratch)
        return crc.value
    }

    /// Writes the central directory and the end records after the last record.
    private func writeDirectory(of records: [PlannedRecord], crcs: [UInt32], to output: ArchiveOutput) throws {
        let directoryOffset = output.position
        for (record, crc) in zip(records, crcs) {
            scratch.removeAll(keepingCapacity: true)
            TorchZipHeaders.appendCentralEntry(
                WrittenRecord(name: record.nameBytes, placement: record.placement, crc32: crc), to: &scratch)
            try output.append(scratch)
        }
        try output.append(
            TorchZipHeaders.endRecords(
                entryCount: UInt64(records.count), directoryOffset: directoryOffset,
                directorySize: output.position - directoryOffset))
    }
}

/// A record described by `addStored`, waiting for `finish()`.
private struct PlannedRecord {
    /// How a producer gives its bytes (asked once, when the record is added).
    enum Source {
        case held(ZipHeldRecordProducer)
        case filler(ZipRecordFiller)
        case chunks(ZipRecordProducer)
        /// Written: the producer is let go.
        case written
    }

    let nameBytes: [UInt8]
    let placement: RecordPlacement
    var source: Source

    /// The name, for errors.
    var name: String { String(decoding: nameBytes, as: UTF8.self) }
}
