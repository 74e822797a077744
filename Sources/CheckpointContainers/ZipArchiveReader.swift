import Synchronization

/// Reads an untrusted zip archive (a torch checkpoint) through libzip, refusing anything
/// ambiguous, and reads stored records with direct positioned reads.
///
/// Opening checks, in order: the end records and `ZipLimits` (before libzip allocates for the
/// directory); libzip's own open with `ZIP_CHECKCONS`; our own parse of the central directory
/// and every local header (names, duplicates, bounds, overlaps); and agreement between libzip
/// and our parser on every record. When libzip refuses a file, our parser is run to name the
/// culprit if it can.
///
/// Thread-safe: stored records are read with `pread`; libzip (compressed records only) is
/// used under a lock.
public final class ZipArchiveReader: @unchecked Sendable {
    /// The archive's path.
    public let path: String
    /// Every record, in central-directory order.
    public let records: [ZipRecord]
    /// The open file, for callers that read stored records' bytes themselves.
    public let file: FileReader
    let libzip: Mutex<LibzipArchive>
    private let indexByName: [String: Int]

    /// Whether `prefix` (the first bytes of a file) starts like a zip archive's local header.
    public static func looksLikeZip(_ prefix: [UInt8]) -> Bool {
        prefix.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// Opens and checks the archive at `path`.
    public init(path: String, limits: ZipLimits = .standard) throws {
        let file = try FileReader(path: path)
        let location = try EndOfCentralDirectory.locate(in: file, limits: limits)
        let archive: LibzipArchive
        do {
            archive = try LibzipArchive(path: path)
        } catch {
            _ = try Self.parse(file, location)  // a precise error if our parser finds one
            throw error
        }
        let records = try Self.parse(file, location)
        try Self.crossCheck(records, with: archive, path: path)
        self.path = path
        self.file = file
        self.records = records
        self.libzip = Mutex(archive)
        self.indexByName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0.index) })
    }

    /// The record called `name`, if any.
    public func record(named name: String) -> ZipRecord? {
        indexByName[name].map { records[$0] }
    }

    /// Parses the central directory and local headers into records, checking names.
    private static func parse(_ file: FileReader, _ location: CentralDirectoryLocation) throws -> [ZipRecord] {
        let entries = try CentralDirectory.read(from: file, at: location)
        var seen = Set<String>()
        for entry in entries {
            if let reason = RecordNameRules.problem(with: entry.nameBytes) {
                throw ContainerError.unsafeRecordName(path: file.path, name: entry.name, reason: reason)
            }
            // String equality is canonical equivalence: names that only differ in Unicode
            // normalisation count as duplicates, since tools may normalise names.
            guard seen.insert(entry.name).inserted else {
                throw ContainerError.duplicateRecordName(path: file.path, name: entry.name)
            }
        }
        let offsets = try LocalHeaders.dataOffsets(of: entries, in: file, directoryOffset: location.offset)
        return zip(entries, offsets).map { entry, dataOffset in
            let compression = ZipCompression(method: entry.method)
            return ZipRecord(
                index: entry.index, name: entry.name, size: entry.size, compressedSize: entry.compressedSize,
                compression: compression, crc32: entry.crc32, headerOffset: entry.headerOffset,
                dataOffset: compression == .stored ? dataOffset : nil)
        }
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
