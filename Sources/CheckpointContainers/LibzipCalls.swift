internal import CMergeDAConvZip

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The only file of this module that imports libzip. Every libzip call and every raw pointer
// handed to or received from libzip lives here; the rest of the module sees Swift types.

/// An archive opened read-only by libzip with `ZIP_CHECKCONS`. Not thread-safe: the owner
/// serialises calls.
final class LibzipArchive {
    private let archive: OpaquePointer
    let path: String

    /// Opens `path` with consistency checks (local headers against the central directory).
    init(path: String) throws {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code) else {
            throw Self.openError(path: path, code: code)
        }
        self.archive = archive
        self.path = path
    }

    deinit {
        zip_discard(archive)
    }

    /// The number of entries libzip found.
    var entryCount: Int {
        Int(zip_get_num_entries(archive, 0))
    }

    /// libzip's view of entry `index`, raw name bytes included; nil if libzip cannot stat it.
    func entryInfo(at index: Int) -> LibzipEntryInfo? {
        var stat = zip_stat_t()
        zip_stat_init(&stat)
        guard zip_stat_index(archive, UInt64(index), zip_flags_t(ZIP_FL_ENC_RAW), &stat) == 0,
              let name = stat.name else { return nil }
        let nameBytes = Array(UnsafeRawBufferPointer(start: name, count: strlen(name)))
        return LibzipEntryInfo(
            nameBytes: nameBytes, size: stat.size, compressedSize: stat.comp_size, crc32: stat.crc,
            method: stat.comp_method)
    }

    /// Opens entry `index` for reading its uncompressed bytes (libzip checks the CRC at the end).
    func openStream(index: Int) throws -> LibzipEntryStream {
        guard let file = zip_fopen_index(archive, UInt64(index), 0) else {
            throw ContainerError.libzipFailed(
                path: path, operation: "open record \(index)", message: String(cString: zip_strerror(archive)))
        }
        return LibzipEntryStream(file: file)
    }

    /// Maps the error code of a failed `zip_open` to our error.
    private static func openError(path: String, code: Int32) -> ContainerError {
        switch code {
        case ZIP_ER_NOZIP: return .notAZipArchive(path: path)
        case ZIP_ER_INCONS: return .inconsistentArchive(path: path, detail: "libzip: \(message(forCode: code))")
        case ZIP_ER_MULTIDISK: return .unsupportedArchive(path: path, reason: "archive spans several disks")
        default: return .libzipFailed(path: path, operation: "open", message: message(forCode: code))
        }
    }
}

/// One record opened for reading through libzip (inflating if needed); closed when released.
final class LibzipEntryStream {
    private let file: OpaquePointer

    fileprivate init(file: OpaquePointer) {
        self.file = file
    }

    deinit {
        zip_fclose(file)
    }

    /// Reads up to `count` bytes into `buffer[index...]`; returns 0 at the end of the record.
    func read(into buffer: inout [UInt8], at index: Int, count: Int) throws -> Int {
        precondition(index >= 0 && count >= 0 && index <= buffer.count - count, "buffer range out of bounds")
        guard count > 0 else { return 0 }
        let got = buffer.withUnsafeMutableBytes { raw in
            zip_fread(file, raw.baseAddress! + index, UInt64(count))
        }
        guard got >= 0 else {
            let error = zip_file_get_error(file)!
            let code = zip_error_code_zip(error)
            throw LibzipStreamFailure(
                isCRCError: code == ZIP_ER_CRC, isEndOfStreamCheck: code == ZIP_ER_CRC || code == ZIP_ER_INCONS,
                message: String(cString: zip_error_strerror(error)))
        }
        return Int(got)
    }
}

/// libzip's message for an error code.
private func message(forCode code: Int32) -> String {
    var error = zip_error_t()
    zip_error_init_with_code(&error, code)
    defer { zip_error_fini(&error) }
    return String(cString: zip_error_strerror(&error))
}

/// A new archive being assembled by libzip; libzip pulls the records' bytes at `close()` and
/// writes the archive through an `ArchiveSink` (our buffered file, not libzip's stdio one).
final class LibzipWriter {
    private var archive: OpaquePointer?
    private var feeds: [RecordFeed] = []
    private let sink: SinkContext
    let path: String

    /// Creates the archive object; the file itself is created when `close()` writes it.
    init(path: String) throws {
        let sink = SinkContext(sink: ArchiveSink(path: path))
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        let context = Unmanaged.passUnretained(sink).toOpaque()
        guard let source = zip_source_function_create(sinkCallback, context, &error) else {
            throw ContainerError.libzipFailed(path: path, operation: "create", message: String(cString: zip_error_strerror(&error)))
        }
        guard let archive = zip_open_from_source(source, ZIP_CREATE | ZIP_EXCL, &error) else {
            zip_source_free(source)
            throw ContainerError.libzipFailed(path: path, operation: "create", message: String(cString: zip_error_strerror(&error)))
        }
        self.archive = archive
        self.sink = sink
        self.path = path
    }

    deinit {
        discard()
    }

    /// Adds a stored record with DOS time 1980-01-01 00:00 and a local-only extra field.
    ///
    /// The time goes through `mktime`/`localtime` inside libzip; 1980-01-01 00:00 survives that
    /// round trip in every time zone, so output does not depend on the machine's zone.
    func addStored(name: String, feed: RecordFeed, localExtraID: UInt16, localExtra: [UInt8]) throws {
        let archive = self.archive!
        let context = Unmanaged.passUnretained(feed).toOpaque()
        guard let source = zip_source_function(archive, feedCallback, context) else { throw failure("add source") }
        let added = zip_file_add(archive, name, source, zip_flags_t(ZIP_FL_ENC_UTF_8))
        guard added >= 0 else {
            zip_source_free(source)
            throw failure("add '\(name)'")
        }
        feeds.append(feed)
        let index = UInt64(added)
        guard zip_set_file_compression(archive, index, ZIP_CM_STORE, 0) == 0,
              zip_file_set_dostime(archive, index, 0, 0x21, 0) == 0 else { throw failure("set '\(name)'") }
        let status = localExtra.withUnsafeBufferPointer { payload in
            zip_file_extra_field_set(
                archive, index, localExtraID, zip_uint16_t(ZIP_EXTRA_FIELD_NEW), payload.baseAddress,
                UInt16(payload.count), zip_flags_t(ZIP_FL_LOCAL))
        }
        guard status == 0 else { throw failure("set extra field of '\(name)'") }
    }

    /// Writes the archive, pulling every feed. On failure the partly written file is removed;
    /// a producer's own error is rethrown unchanged, then our file errors, then libzip's.
    func close() throws {
        guard let archive = self.archive else { preconditionFailure("archive already closed") }
        self.archive = nil
        defer { feeds = [] }
        guard zip_close(archive) != 0 else { return }
        let detail = String(cString: zip_strerror(archive))
        zip_discard(archive)
        if let producerError = feeds.lazy.compactMap({ $0.failure }).first { throw producerError }
        if let sinkError = sink.sink.failure { throw sinkError }
        throw ContainerError.libzipFailed(path: path, operation: "close", message: detail)
    }

    /// Drops everything without writing.
    func discard() {
        if let archive { zip_discard(archive) }
        archive = nil
        feeds = []
    }

    private func failure(_ operation: String) -> ContainerError {
        .libzipFailed(path: path, operation: operation, message: String(cString: zip_strerror(archive!)))
    }
}

/// The bit mask of the given source commands (`zip_source_make_command_bitmap` is variadic).
private func commandMask(_ commands: [zip_source_cmd_t]) -> zip_int64_t {
    commands.reduce(0) { $0 | (zip_int64_t(1) << zip_int64_t($1.rawValue)) }
}

/// The commands the archive sink serves; reading ones are listed because libzip requires them
/// of an archive source, but a new archive is never read.
private let sinkCommands = commandMask([
    ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
    ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS, ZIP_SOURCE_BEGIN_WRITE, ZIP_SOURCE_COMMIT_WRITE,
    ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_WRITE, ZIP_SOURCE_SEEK_WRITE, ZIP_SOURCE_TELL_WRITE, ZIP_SOURCE_REMOVE,
])

/// The `zip_source_function` callback for the archive itself: a new, write-only archive.
private func sinkCallback(
    _ context: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t,
    _ command: zip_source_cmd_t
) -> zip_int64_t {
    let box = Unmanaged<SinkContext>.fromOpaque(context!).takeUnretainedValue()
    switch command {
    case ZIP_SOURCE_SUPPORTS:
        return sinkCommands
    case ZIP_SOURCE_STAT:
        return box.fail(ZIP_ER_READ, ENOENT)  // a new archive: nothing exists yet
    case ZIP_SOURCE_ERROR:
        var error = zip_error_t()
        zip_error_init(&error)
        defer { zip_error_fini(&error) }
        zip_error_set(&error, box.zipError, box.systemError)
        return zip_error_to_data(&error, data, length)
    case ZIP_SOURCE_FREE:
        return 0
    default:
        return sinkWriteCommand(box, command, data, length)
    }
}

/// The writing commands of the archive sink.
private func sinkWriteCommand(
    _ box: SinkContext, _ command: zip_source_cmd_t, _ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t
) -> zip_int64_t {
    let sink = box.sink
    switch command {
    case ZIP_SOURCE_BEGIN_WRITE:
        return (try? sink.begin()) == nil ? box.fail(ZIP_ER_OPEN) : 0
    case ZIP_SOURCE_WRITE:
        return writeToSink(sink, box, data, length)
    case ZIP_SOURCE_SEEK_WRITE:
        guard let data, length >= MemoryLayout<zip_source_args_seek_t>.size else { return box.fail(ZIP_ER_INVAL) }
        let args = data.assumingMemoryBound(to: zip_source_args_seek_t.self).pointee
        return (try? sink.seek(offset: args.offset, whence: args.whence)) == nil ? box.fail(ZIP_ER_SEEK) : 0
    case ZIP_SOURCE_TELL_WRITE:
        return zip_int64_t(sink.position)
    case ZIP_SOURCE_COMMIT_WRITE:
        return (try? sink.commit()) == nil ? box.fail(ZIP_ER_WRITE) : 0
    case ZIP_SOURCE_ROLLBACK_WRITE, ZIP_SOURCE_REMOVE:
        sink.rollback()
        return 0
    default:
        return box.fail(ZIP_ER_OPNOTSUPP)  // reading: never needed for a new archive
    }
}

/// Copies one libzip write into the sink's buffer.
private func writeToSink(
    _ sink: ArchiveSink, _ box: SinkContext, _ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t
) -> zip_int64_t {
    guard length <= zip_uint64_t(Int32.max) else { return box.fail(ZIP_ER_INVAL) }
    let count = Int(length)
    guard count > 0 else { return 0 }
    guard let data, let index = try? sink.prepareWrite(count: count) else { return box.fail(ZIP_ER_WRITE) }
    sink.filling.withUnsafeMutableBytes { buffer in
        (buffer.baseAddress! + index).copyMemory(from: data, byteCount: count)
    }
    sink.didWrite(count)
    return zip_int64_t(count)
}

/// The commands a record feed serves: a plain readable source.
private let feedCommands = commandMask([
    ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
])

/// The `zip_source_function` callback: serves a `RecordFeed` to libzip as a readable source.
private func feedCallback(
    _ context: UnsafeMutableRawPointer?, _ data: UnsafeMutableRawPointer?, _ length: zip_uint64_t,
    _ command: zip_source_cmd_t
) -> zip_int64_t {
    let feed = Unmanaged<RecordFeed>.fromOpaque(context!).takeUnretainedValue()
    switch command {
    case ZIP_SOURCE_SUPPORTS:
        return feedCommands
    case ZIP_SOURCE_OPEN, ZIP_SOURCE_CLOSE, ZIP_SOURCE_FREE:
        return 0
    case ZIP_SOURCE_STAT:
        let stat = data!.assumingMemoryBound(to: zip_stat_t.self)
        stat.pointee.size = feed.declaredSize
        stat.pointee.comp_size = feed.declaredSize
        stat.pointee.comp_method = zip_uint16_t(ZIP_CM_STORE)
        stat.pointee.encryption_method = zip_uint16_t(ZIP_EM_NONE)
        stat.pointee.valid |= zip_uint64_t(ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD)
            | zip_uint64_t(ZIP_STAT_ENCRYPTION_METHOD)
        return 0
    case ZIP_SOURCE_READ:
        return readFeed(feed, into: UnsafeMutableRawBufferPointer(start: data, count: Int(min(length, 1 << 30))))
    case ZIP_SOURCE_ERROR:
        var error = zip_error_t()
        zip_error_init_with_code(&error, feed.failure == nil ? ZIP_ER_OPNOTSUPP : ZIP_ER_READ)
        defer { zip_error_fini(&error) }
        return zip_error_to_data(&error, data, length)
    default:
        return -1
    }
}

/// Copies the feed's next bytes into libzip's buffer; -1 (and `feed.failure`) on error.
private func readFeed(_ feed: RecordFeed, into destination: UnsafeMutableRawBufferPointer) -> zip_int64_t {
    var written = 0
    do {
        while written < destination.count {
            let slice = try feed.next(max: destination.count - written)
            if slice.isEmpty { break }
            slice.withUnsafeBytes { bytes in
                (destination.baseAddress! + written).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            written += slice.count
        }
        return zip_int64_t(written)
    } catch {
        feed.failure = error
        return -1
    }
}
