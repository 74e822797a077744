/// Everything that can go wrong while reading or writing a checkpoint container.
///
/// Every case names its culprit (the file, the record, the byte offset) so that a message
/// read in a log is enough to find the problem. Cases are `Equatable` so tests can assert
/// the exact failure. Errors thrown by a caller's `ZipRecordProducer` are not wrapped:
/// `ZipArchiveWriter.finish()` rethrows them unchanged.
public enum ContainerError: Error, Equatable, CustomStringConvertible {
    // MARK: File access

    /// A system call failed; `errno` is the C error number.
    case systemCallFailed(path: String, call: String, errno: Int32)
    /// The path names a directory, device or other non-regular file.
    case notARegularFile(path: String)
    /// A read was asked for bytes beyond the end of the file.
    case readOutOfBounds(path: String, offset: UInt64, count: Int, fileSize: UInt64)
    /// The file ended before a read that was in bounds when the file was opened (it shrank).
    case unexpectedEndOfFile(path: String, offset: UInt64)

    // MARK: Archive structure

    /// The file has no bytes at all.
    case emptyFile(path: String)
    /// The file has no end-of-central-directory record and does not start like a zip archive.
    case notAZipArchive(path: String)
    /// The file starts like a zip archive but its end is missing.
    case truncated(path: String, detail: String)
    /// A zip feature this reader refuses (several disks, encryption).
    case unsupportedArchive(path: String, reason: String)
    /// The end records or the central directory are not well formed at `offset`.
    case malformedCentralDirectory(path: String, offset: UInt64, reason: String)
    /// The archive declares more records than `ZipLimits.maxRecords`.
    case tooManyRecords(path: String, count: UInt64, limit: Int)
    /// The central directory is larger than `ZipLimits.maxCentralDirectoryBytes`.
    case centralDirectoryTooLarge(path: String, size: UInt64, limit: Int)
    /// A record's local header at `offset` is not well formed.
    case malformedLocalHeader(path: String, record: String, offset: UInt64, reason: String)
    /// A record's local header disagrees with its central-directory entry on `field`.
    case localHeaderMismatch(path: String, record: String, field: String)
    /// A record's bytes (`offset`, `size`) reach past the start of the central directory.
    case recordOutOfBounds(path: String, record: String, offset: UInt64, size: UInt64)
    /// Two records share bytes of the file (a zip-bomb technique).
    case overlappingRecords(path: String, first: String, second: String)
    /// Two records have the same name; readers would disagree on which one counts.
    case duplicateRecordName(path: String, name: String)
    /// A record name is empty, absolute, has `..` components, NUL bytes or invalid UTF-8.
    case unsafeRecordName(path: String, name: String, reason: String)

    // MARK: libzip

    /// libzip found the archive inconsistent in a way our own checks do not pinpoint.
    case inconsistentArchive(path: String, detail: String)
    /// libzip and our own central-directory parser read a record differently.
    case libzipDisagrees(path: String, record: String, field: String)
    /// Any other libzip failure, with libzip's own message.
    case libzipFailed(path: String, operation: String, message: String)

    // MARK: Record contents

    /// The record uses a compression method other than stored (0) or deflated (8).
    case unsupportedCompression(path: String, record: String, method: UInt16)
    /// The record is larger than the caller's limit; nothing was allocated for it.
    case recordTooLarge(path: String, record: String, size: UInt64, limit: UInt64)
    /// A compressed record produces more bytes than its declared size.
    case inflatesBeyondDeclaredSize(path: String, record: String, declared: UInt64)
    /// A record's bytes stopped at `actual` although `declared` were announced.
    case recordSizeMismatch(path: String, record: String, declared: UInt64, actual: UInt64)
    /// The CRC-32 of a record's bytes is not the one the central directory records.
    case crcMismatch(path: String, record: String, expected: UInt32, actual: UInt32)
    /// A slice read reaches past the end of the record.
    case readBeyondRecord(path: String, record: String, offset: UInt64, count: Int, size: UInt64)
    /// The compressed stream of a record is corrupt.
    case decompressionFailed(path: String, record: String, detail: String)

    // MARK: Writing

    /// The writer refuses to replace an existing file.
    case fileExists(path: String)

    // MARK: safetensors

    /// A safetensors file (or a header being written) breaks the format's rules; the problem names the culprit.
    case invalidSafetensors(path: String, problem: SafetensorsProblem)

    /// One line naming the culprit.
    public var description: String {
        switch self {
        case .systemCallFailed(let path, let call, let errno):
            return "\(path): \(call) failed: \(systemErrorText(errno)) (errno \(errno))"
        case .notARegularFile(let path):
            return "\(path): not a regular file"
        case .readOutOfBounds(let path, let offset, let count, let fileSize):
            return "\(path): read of \(count) bytes at offset \(offset) is beyond the file size \(fileSize)"
        case .unexpectedEndOfFile(let path, let offset):
            return "\(path): file ended unexpectedly at offset \(offset) (was it truncated while open?)"
        case .emptyFile(let path):
            return "\(path): file is empty, not a zip archive"
        case .notAZipArchive(let path):
            return "\(path): not a zip archive (no end-of-central-directory record)"
        case .truncated(let path, let detail):
            return "\(path): truncated zip archive: \(detail)"
        case .unsupportedArchive(let path, let reason):
            return "\(path): unsupported zip archive: \(reason)"
        case .malformedCentralDirectory(let path, let offset, let reason):
            return "\(path): malformed central directory at offset \(offset): \(reason)"
        case .tooManyRecords(let path, let count, let limit):
            return "\(path): archive declares \(count) records, more than the limit \(limit)"
        case .centralDirectoryTooLarge(let path, let size, let limit):
            return "\(path): central directory of \(size) bytes exceeds the limit \(limit)"
        case .invalidSafetensors(let path, let problem):
            return "\(path): safetensors: \(problem)"
        default:
            return recordDescription
        }
    }

    /// The descriptions of the record-level and writer cases (split to keep functions short).
    private var recordDescription: String {
        switch self {
        case .malformedLocalHeader(let path, let record, let offset, let reason):
            return "\(path): record '\(record)': malformed local header at offset \(offset): \(reason)"
        case .localHeaderMismatch(let path, let record, let field):
            return "\(path): record '\(record)': local header and central directory disagree on the \(field)"
        case .recordOutOfBounds(let path, let record, let offset, let size):
            return "\(path): record '\(record)': \(size) bytes at offset \(offset) reach past the central directory"
        case .overlappingRecords(let path, let first, let second):
            return "\(path): records '\(first)' and '\(second)' overlap in the file"
        case .duplicateRecordName(let path, let name):
            return "\(path): record name '\(name)' appears more than once"
        case .unsafeRecordName(let path, let name, let reason):
            return "\(path): unsafe record name '\(name)': \(reason)"
        case .inconsistentArchive(let path, let detail):
            return "\(path): inconsistent archive: \(detail)"
        case .libzipDisagrees(let path, let record, let field):
            return "\(path): record '\(record)': libzip reads a different \(field) than the central directory"
        case .libzipFailed(let path, let operation, let message):
            return "\(path): libzip \(operation) failed: \(message)"
        default:
            return contentDescription
        }
    }

    /// The descriptions of the record-content and writer cases.
    private var contentDescription: String {
        switch self {
        case .unsupportedCompression(let path, let record, let method):
            return "\(path): record '\(record)': unsupported compression method \(method)"
        case .recordTooLarge(let path, let record, let size, let limit):
            return "\(path): record '\(record)': size \(size) exceeds the limit \(limit)"
        case .inflatesBeyondDeclaredSize(let path, let record, let declared):
            return "\(path): record '\(record)': inflates beyond its declared size \(declared)"
        case .recordSizeMismatch(let path, let record, let declared, let actual):
            return "\(path): record '\(record)': declared \(declared) bytes, got \(actual)"
        case .crcMismatch(let path, let record, let expected, let actual):
            return "\(path): record '\(record)': CRC-32 mismatch: expected \(hex(expected)), actual \(hex(actual))"
        case .readBeyondRecord(let path, let record, let offset, let count, let size):
            return "\(path): record '\(record)': read of \(count) bytes at \(offset) is beyond its size \(size)"
        case .decompressionFailed(let path, let record, let detail):
            return "\(path): record '\(record)': corrupt compressed data: \(detail)"
        case .fileExists(let path):
            return "\(path): file already exists; the writer only creates new files"
        default:
            preconditionFailure("every case is described by one of the three switches")
        }
    }
}

/// `0x` and eight hex digits, as CRCs are usually shown.
private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
