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
    private var names = RecordNameIndex(expectedCount: 0)
    /// The last producer added and how it gives its bytes: a writer adds one filler for many records (a
    /// checkpoint's copied storages), which is then asked what it is once.
    private var lastProducer: (object: ZipRecordProducer, source: PlannedRecord.Source)?
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
        let nameBytes = NameBytes.array(of: name)
        let scan = NameBytes.scan(nameBytes, nameBytes.indices)
        if let reason = RecordNameRules.problem(in: nameBytes, nameBytes.indices, scan: scan) {
            throw ContainerError.unsafeRecordName(path: path, name: name, reason: reason)
        }
        var layout = self.layout
        guard let placement = layout.place(nameLength: nameBytes.count, size: size) else {
            // A duplicate is refused as one first, as when names were a set of strings.
            if planned.contains(where: { String(decoding: $0.nameBytes, as: UTF8.self) == name }) {
                throw ContainerError.duplicateRecordName(path: path, name: name)
            }
            throw ContainerError.recordTooLarge(
                path: path, record: name, size: size, limit: layout.largestSize(nameLength: nameBytes.count))
        }
        // One hash per name: a duplicate is refused as it would be inserted.
        if Self.join(&names, name, nameBytes, key: scan.key, after: planned) {
            throw ContainerError.duplicateRecordName(path: path, name: name)
        }
        self.layout = layout
        planned.append(PlannedRecord(nameBytes: nameBytes, placement: placement, source: source(of: producer)))
        return placement.dataOffset
    }

    /// Adds the name of the record after `planned` to `names`; true (and nothing added) if it is there already.
    private static func join(
        _ names: inout RecordNameIndex, _ name: String, _ nameBytes: [UInt8], key: NameKey, after planned: [PlannedRecord]
    ) -> Bool {
        let duplicate = names.insert(
            name, index: planned.count, key: key,
            isNamed: { planned[$0].nameBytes == nameBytes },
            nameOf: { String(decoding: planned[$0].nameBytes, as: UTF8.self) })
        return duplicate != nil
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
        names = RecordNameIndex(expectedCount: 0)
        lastProducer = nil
        let directorySize = planned.reduce(0) { $0 + TorchZipHeaders.centralEntryLength($1.nameBytes.count, $1.placement) }
        let size = layout.nextHeaderOffset + UInt64(directorySize) + UInt64(TorchZipHeaders.endRecordsLength)
        let output = try ArchiveOutput(creating: path, expectedSize: size)
        // A local array: no exclusivity check per record, as there is for the property.
        var records = planned
        planned = []
        do {
            var crcs: [UInt32] = []
            crcs.reserveCapacity(records.count)
            for index in records.indices {
                let previous = index > 0 ? (crc32: crcs[index - 1], placement: records[index - 1].placement) : nil
                crcs.append(try stream(records[index], after: previous, to: output))
                records[index].source = .written  // each producer is released once written
            }
            let last = records.last.map { (crc32: crcs[crcs.count - 1], placement: $0.placement) }
            try writeDirectory(of: records, crcs: crcs, after: last, to: output)
            records = []
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

    /// Writes one record: local header, the producer's bytes (checksummed as they pass); returns the bytes' CRC-32.
    /// The record's descriptor goes with what follows it (the next header, or the directory): the writes of small
    /// records' headers are half as many.
    private func stream(
        _ record: PlannedRecord, after previous: (crc32: UInt32, placement: RecordPlacement)?, to output: ArchiveOutput
    ) throws -> UInt32 {
        let previousLength = Int(previous?.placement.descriptorLength ?? 0)
        precondition(
            output.position + UInt64(previousLength) == record.placement.headerOffset, "the output differs from the layout")
        let headerLength = TorchZipHeaders.localHeaderLength(record.nameBytes.count, record.placement)
        try output.appendStored(count: previousLength + headerLength) {
            if let previous {
                TorchZipHeaders.writeDataDescriptor(crc32: previous.crc32, placement: previous.placement, to: &$0)
            }
            TorchZipHeaders.writeLocalHeader(name: record.nameBytes, placement: record.placement, to: &$0)
        }
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
        return crc.value
    }

    /// Writes the last record's descriptor, the central directory and the end records. Entries are stored in
    /// batches of up to ``directoryBatchLength`` bytes, one call each.
    private func writeDirectory(
        of records: [PlannedRecord], crcs: [UInt32], after last: (crc32: UInt32, placement: RecordPlacement)?,
        to output: ArchiveOutput
    ) throws {
        let lastLength = Int(last?.placement.descriptorLength ?? 0)
        let directoryOffset = output.position + UInt64(lastLength)
        var next = 0
        var leading = lastLength
        repeat {
            var end = next
            var length = leading
            while end < records.count {
                let entryLength = TorchZipHeaders.centralEntryLength(records[end].nameBytes.count, records[end].placement)
                guard end == next || length + entryLength <= Self.directoryBatchLength else { break }
                length += entryLength
                end += 1
            }
            try output.appendStored(count: length) { fields in
                if leading > 0, let last {
                    TorchZipHeaders.writeDataDescriptor(crc32: last.crc32, placement: last.placement, to: &fields)
                }
                for index in next..<end {
                    let entry = WrittenRecord(
                        name: records[index].nameBytes, placement: records[index].placement, crc32: crcs[index])
                    TorchZipHeaders.writeCentralEntry(entry, to: &fields)
                }
            }
            next = end
            leading = 0
        } while next < records.count
        try output.append(
            TorchZipHeaders.endRecords(
                entryCount: UInt64(records.count), directoryOffset: directoryOffset,
                directorySize: output.position - directoryOffset))
    }

    /// Bytes of central-directory entries stored at once (fewer calls, and a batch always fits an output buffer).
    private static let directoryBatchLength = 64 << 10
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
