import CheckpointContainers
import PickleMachine

/// Reads the zip layout `torch.save` writes since torch 1.6: `<prefix>/data.pkl`, `<prefix>/data/<key>`,
/// `<prefix>/version`, `<prefix>/byteorder`, ... whatever the prefix is.
enum ZipCheckpointReader {
    static func open(path: String, file: FileReader, limits: CheckpointLimits) throws -> Checkpoint {
        let archive = try ZipArchiveReader(path: path)
        var format = CheckpointFormat(kind: .zip)
        format.records = archive.records
        let prefix = try archivePrefix(archive)
        format.archivePrefix = prefix
        if archive.record(named: "\(prefix)/constants.pkl") != nil {
            throw CheckpointError.Reason.notACheckpoint("a TorchScript archive (torch.jit.save), which torch.load does not read")
        }
        try readSmallRecords(archive, prefix: prefix, into: &format)
        let unpickled = try unpickleData(archive, prefix: prefix, limits: limits)
        format.pickleProtocol = unpickled.protocolVersion
        let interpreter = try CheckpointUnpickling.interpret(unpickled, limits: limits)
        var storages: [String: TorchStorage] = [:]
        storages.reserveCapacity(interpreter.storageOrder.count)
        // Declarations are kept in the order their keys were first declared: storageOrder's.
        var inOrder: [TorchStorage] = []
        inOrder.reserveCapacity(interpreter.storageOrder.count)
        var finder = StorageRecordFinder(archive: archive, dataFolder: prefix + "/data/")
        for declaration in interpreter.declarations.all {
            let storage = try storage(declaration, finder: &finder)
            storages[declaration.key] = storage
            inOrder.append(storage)
        }
        return try Checkpoint(
            path: path, format: format, unpickled: unpickled, interpreter: interpreter, storages: storages,
            inOrder: inOrder, bytes: StorageBytes(file: file, archive: archive), limits: limits)
    }

    /// `<prefix>/data.pkl` unpickled under torch's allow-list, which must end at the record's end.
    static func unpickleData(_ archive: ZipArchiveReader, prefix: String, limits: CheckpointLimits) throws -> UnpickleResult {
        guard let pickleRecord = archive.record(named: "\(prefix)/data.pkl") else {
            throw CheckpointError.Reason.missingRecord("\(prefix)/data.pkl")
        }
        let pickle = try archive.readAll(pickleRecord, maxSize: UInt64(limits.maxPickleBytes))
        let unpickled = try CheckpointUnpickling.unpickle(pickle, record: pickleRecord.name, limits: limits)
        guard unpickled.endOffset == pickle.count else {
            throw CheckpointError.Reason.invalidRecord(
                name: pickleRecord.name, detail: "\(pickle.count - unpickled.endOffset) bytes follow the pickle's STOP")
        }
        return unpickled
    }

    /// torch takes the folder of the first record and looks every record up inside it.
    static func archivePrefix(_ archive: ZipArchiveReader) throws -> String {
        guard let first = archive.records.first else {
            throw CheckpointError.Reason.notACheckpoint("the zip archive is empty")
        }
        guard let slash = first.name.firstIndex(of: "/"), slash != first.name.startIndex else {
            throw CheckpointError.Reason.notACheckpoint("record \(first.name) is not inside a folder, as torch.save writes")
        }
        let prefix = String(first.name[..<slash])
        let folder = prefix + "/"
        for record in archive.records.indices {
            let name = archive.records[record].name
            guard !(RecordNameBytes.hasPrefix(name, folder) ?? name.hasPrefix(folder)) else { continue }
            throw CheckpointError.Reason.notACheckpoint("record \(name) is outside the archive folder \(prefix)/")
        }
        return prefix
    }

    /// `version`, `byteorder`, `.format_version`, `.storage_alignment`: a few bytes each, checked as torch does.
    static func readSmallRecords(_ archive: ZipArchiveReader, prefix: String, into format: inout CheckpointFormat) throws {
        func text(_ name: String) throws -> String? {
            guard let record = archive.record(named: "\(prefix)/\(name)") else { return nil }
            let bytes = try archive.readAll(record, maxSize: 64)
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let version = try text(".data/version") ?? text("version") else {
            throw CheckpointError.Reason.missingRecord("\(prefix)/version")
        }
        let trimmed = version.trimmingCharacters(in: " \n\r\t")
        guard let number = Int(trimmed), (1...10).contains(number) else {
            throw CheckpointError.Reason.invalidRecord(name: "\(prefix)/version", detail: "'\(trimmed)' is not a version 1 to 10")
        }
        format.version = trimmed
        if let order = try text("byteorder") {
            guard order == "little" || order == "big" else {
                throw CheckpointError.Reason.invalidRecord(
                    name: "\(prefix)/byteorder", detail: "'\(order)' is neither little nor big")
            }
            format.byteOrder = order
        }
        format.formatVersion = try text(".format_version")
        format.storageAlignment = try text(".storage_alignment")
        format.hasSerializationID = archive.record(named: "\(prefix)/.data/serialization_id") != nil
    }

    /// The same for one storage alone; `dataFolder` is `<prefix>/data/`.
    static func storage(_ declaration: StorageDeclaration, archive: ZipArchiveReader, dataFolder: String) throws -> TorchStorage {
        var finder = StorageRecordFinder(archive: archive, dataFolder: dataFolder)
        return try storage(declaration, finder: &finder)
    }

    /// The record of one storage, whose size must be exactly what the persistent id declares (torch checks too).
    static func storage(_ declaration: StorageDeclaration, finder: inout StorageRecordFinder) throws -> TorchStorage {
        let (found, name) = finder.record(forKey: declaration.rootKey)
        guard let record = found else { throw CheckpointError.Reason.missingRecord(name) }
        let (bytes, overflow) = declaration.elementCount.multipliedReportingOverflow(by: declaration.dtype.elementSize)
        guard !overflow else {
            throw CheckpointError.Reason.invalidGeometry(tensor: "storage \(declaration.key)", detail: "byte count overflows")
        }
        guard record.size == UInt64(bytes) else {
            throw CheckpointError.Reason.sizeMismatch(what: "record \(name)", expected: UInt64(bytes), actual: record.size)
        }
        try CompressionBound.check(record)
        return TorchStorage(
            key: declaration.key, dtype: declaration.dtype, elementCount: declaration.elementCount, byteCount: bytes,
            location: declaration.location, isUntyped: declaration.isUntyped, source: .zipRecord(name: name))
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice.removeFirst() }
        while let last = slice.last, characters.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

/// Finds the record `<prefix>/data/<key>` of each storage. torch writes storage records in the order the pickle
/// declares them, so the record after the last one found is compared first, before the name index is hashed.
struct StorageRecordFinder {
    let archive: ZipArchiveReader
    /// `<prefix>/data/`.
    let dataFolder: String
    private var next = 0

    init(archive: ZipArchiveReader, dataFolder: String) {
        self.archive = archive
        self.dataFolder = dataFolder
    }

    /// The record of storage `key`, if any, and the name it was looked up by (``ZipArchiveReader/record(named:hint:)``).
    mutating func record(forKey key: String) -> (record: ZipRecord?, name: String) {
        // The record's own name, when its bytes are the name's: no name is made per storage.
        if next < archive.records.count, RecordNameBytes.isConcatenation(archive.records[next].name, dataFolder, key) {
            next += 1
            return (archive.records[next - 1], archive.records[next - 1].name)
        }
        let name = dataFolder + key
        return (archive.record(named: name, hint: &next), name)
    }
}
