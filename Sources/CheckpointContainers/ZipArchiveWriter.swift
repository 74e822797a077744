/// Writes a new zip archive of stored records laid out as torch lays them out: every record's
/// data starts on a 64-byte boundary (so it can be memory-mapped and read in place), padded by
/// a local 'FB' extra field of 'Z' bytes.
///
/// Records are only described by `addStored`; their bytes are pulled, in order, when
/// `finish()` runs (libzip's `zip_close`), so memory use does not grow with the archive.
/// Identical input gives byte-identical output: times are fixed, nothing depends on the clock.
/// The file is created (exclusively, never replacing anything) and written by `finish()`, in
/// large writes; if anything fails, the partly written file is removed. Callers wanting an
/// atomic replacement write to a temporary path and rename it themselves.
public final class ZipArchiveWriter {
    /// The archive being created.
    public let path: String
    /// The boundary every record's data starts on.
    public let alignment: UInt64
    /// torch's padding extra field id: the bytes 'F', 'B' read as a little-endian UInt16.
    static let paddingFieldID: UInt16 = 0x4246
    private var libzip: LibzipWriter?
    private var layout: StoredLayout
    private var names: Set<String> = []

    /// Prepares a new archive at `path`; throws `fileExists` if something is already there
    /// (checked again, atomically, when `finish()` creates the file).
    ///
    /// - Parameter alignment: a power of two up to 32768; torch's default is 64.
    public init(path: String, alignment: UInt64 = 64) throws {
        if pathExists(path) { throw ContainerError.fileExists(path: path) }
        self.libzip = try LibzipWriter(path: path)
        self.path = path
        self.alignment = alignment
        self.layout = StoredLayout(alignment: alignment)
    }

    deinit {
        libzip?.discard()
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
        guard let libzip else { preconditionFailure("addStored after finish() or discard()") }
        let nameBytes = Array(name.utf8)
        if let reason = RecordNameRules.problem(with: nameBytes) {
            throw ContainerError.unsafeRecordName(path: path, name: name, reason: reason)
        }
        guard !names.contains(name) else { throw ContainerError.duplicateRecordName(path: path, name: name) }
        guard size != StoredLayout.libzipUnreadableSize else {
            throw ContainerError.unwritableRecordSize(path: path, record: name, size: size)
        }
        var nextLayout = layout
        guard let placement = nextLayout.place(nameLength: nameBytes.count, size: size) else {
            throw ContainerError.recordTooLarge(
                path: path, record: name, size: size, limit: StoredLayout.maxOffset - layout.nextHeaderOffset)
        }
        let feed = RecordFeed(archivePath: path, name: name, declaredSize: size, producer: producer)
        let padding = [UInt8](repeating: UInt8(ascii: "Z"), count: placement.padding)
        try libzip.addStored(name: name, feed: feed, localExtraID: Self.paddingFieldID, localExtra: padding)
        layout = nextLayout
        names.insert(name)
        return placement.dataOffset
    }

    /// Writes the archive, pulling every producer in order, and moves it into place.
    ///
    /// A producer's error is rethrown unchanged; a producer that yields more or fewer bytes
    /// than declared fails with `recordSizeMismatch`. Either way no file is left at `path`.
    public func finish() throws {
        guard let libzip else { preconditionFailure("finish() called twice or after discard()") }
        self.libzip = nil
        guard !names.isEmpty else {
            libzip.discard()
            throw ContainerError.emptyArchive(path: path)
        }
        try libzip.close()
    }

    /// Abandons the archive; nothing is written.
    public func discard() {
        libzip?.discard()
        libzip = nil
    }
}
