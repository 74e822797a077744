import Synchronization

/// Reads an untrusted zip archive (a torch checkpoint), refusing anything ambiguous, and reads stored
/// records with direct positioned reads.
///
/// Opening checks, in order: the end records and `ZipLimits` (before anything sized by the archive is
/// allocated); our parse of the central directory, straight into the record table, and of every local header
/// (names, duplicates, bounds, overlaps). libzip gives a second opinion whenever it would read the archive
/// otherwise than we do: when a record is compressed (libzip inflates it), when a local header differs from
/// its central entry in a field libzip compares (`ZIP_CHECKCONS`), when an extra field is one libzip applies
/// or does not parse, or when the end of the file holds another end-record signature. libzip then opens the
/// archive with `ZIP_CHECKCONS` and must agree with our parser on every record; its refusal is the error.
/// torch's own files need none of this: libzip's open costs a `stat` per record, most of the time of opening
/// a checkpoint of many small tensors.
///
/// Thread-safe: stored records are read with `pread`; libzip (compressed records only) is used under a lock.
public final class ZipArchiveReader: @unchecked Sendable {
    /// The archive's path.
    public let path: String
    /// Every record, in central-directory order.
    public let records: [ZipRecord]
    /// The open file, for callers that read stored records' bytes themselves.
    public let file: FileReader
    /// libzip's reader, when libzip was asked (see above); every archive with a compressed record has one.
    let libzip: Mutex<LibzipArchive?>
    private let indexByName: RecordNameIndex
    /// Every record by name as a string, made when a name that is not ASCII is first looked up in an archive of
    /// ASCII names (``RecordNameIndex`` compares those by bytes).
    private let indexByString = Mutex<[String: Int]?>(nil)

    /// Whether `prefix` (the first bytes of a file) starts like a zip archive's local header.
    public static func looksLikeZip(_ prefix: [UInt8]) -> Bool {
        prefix.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// Opens and checks the archive at `path`.
    public init(path: String, limits: ZipLimits = .standard) throws {
        let file = try FileReader(path: path)
        let location = try EndOfCentralDirectory.locate(in: file, limits: limits)
        var directory = try CentralDirectory(from: file, at: location)
        let headersDiffer = try LocalHeaders.read(into: &directory, file: file, directoryOffset: location.offset)
        let records = directory.records
        var archive: LibzipArchive?
        if headersDiffer || directory.hasFieldsLibzipReads || location.hasOtherEndSignatures
            || records.contains(where: { $0.compression != .stored })
        {
            let opinion = try LibzipArchive(path: path)
            try Self.crossCheck(records, with: opinion, path: path)
            archive = opinion
        }
        consultedLibzip = archive != nil
        libzip = Mutex(archive)
        self.path = path
        self.file = file
        self.records = records
        self.indexByName = directory.indexByName
    }

    /// Whether libzip was asked for its opinion when the archive was opened.
    let consultedLibzip: Bool

    /// The record called `name`, trying the record at `hint` first, then setting `hint` to the index after the
    /// record found: a caller that goes through records in the order they are stored (a checkpoint's storages)
    /// finds each at its hint with no hash. Names are unique, canonical equivalents included, so the record whose
    /// name equals `name` is the one ``record(named:)`` finds.
    public func record(named name: String, hint: inout Int) -> ZipRecord? {
        if hint >= 0, hint < records.count, records[hint].name == name {
            hint += 1
            return records[hint - 1]
        }
        guard let record = record(named: name) else { return nil }
        hint = record.index + 1
        return record
    }

    /// The record called `name`, if any.
    public func record(named name: String) -> ZipRecord? {
        let key = NameBytes.key(of: name)
        if key.isASCII || !indexByName.comparesBytes {
            return indexByName.find(name, key: key) { records[$0].name == name }.map { records[$0] }
        }
        // It may still equal an ASCII name canonically (U+212A KELVIN SIGN is K): strings decide, as they did.
        let index = indexByString.withLock { byString in
            if let byString { return byString[name] }
            var names: [String: Int] = [:]
            for record in records { names[record.name] = record.index }
            byString = names
            return names[name]
        }
        return index.map { records[$0] }
    }

    /// Refuses an archive that libzip reads differently from our parser.
    private static func crossCheck(_ records: [ZipRecord], with archive: LibzipArchive, path: String) throws {
        guard archive.entryCount == records.count else {
            throw ContainerError.libzipDisagrees(path: path, record: records.last?.name ?? "", field: "record count")
        }
        for record in records {
            guard let info = archive.entryInfo(at: record.index) else {
                throw ContainerError.libzipDisagrees(path: path, record: record.name, field: "existence")
            }
            let mismatch: String? =
                info.nameBytes != Array(record.name.utf8)
                ? "name"
                : info.size != record.size
                    ? "size"
                    : info.compressedSize != record.compressedSize
                        ? "compressed size"
                        : info.crc32 != record.crc32
                            ? "CRC-32"
                            : info.method != record.compression.method ? "compression method" : nil
            if let mismatch {
                throw ContainerError.libzipDisagrees(path: path, record: record.name, field: mismatch)
            }
        }
    }
}
