internal import CMergeDAConvZip

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The only file of this module that imports libzip, which reads archives (the writer is our own).
// Every libzip call and every raw pointer handed to or received from libzip lives here; the rest of
// the module sees Swift types.

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
            let name = stat.name
        else { return nil }
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
