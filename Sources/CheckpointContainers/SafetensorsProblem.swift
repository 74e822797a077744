/// What is wrong with a safetensors file (or with a header about to be written), naming the tensor, key or
/// byte offset at fault. Carried by ``ContainerError/invalidSafetensors(path:problem:)``, which adds the file.
///
/// Offsets called `data_offsets` are relative to the data area, as the header states them; other offsets are
/// file offsets.
public enum SafetensorsProblem: Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than the 8-byte header length.
    case fileTooSmall(size: UInt64)
    /// The header length is above ``SafetensorsLimits/maxHeaderBytes``.
    case headerTooLarge(length: UInt64, limit: Int)
    /// The header length reaches past the end of the file.
    case headerBeyondFile(length: UInt64, fileSize: UInt64)
    /// The header is not UTF-8; `offset` is the file offset of the first bad byte.
    case headerNotUTF8(offset: UInt64)
    /// The header is not JSON; `offset` is the file offset where parsing stopped.
    case invalidJSON(offset: UInt64, reason: String)
    /// JSON arrays and objects nest deeper than the limit at file offset `offset`.
    case jsonTooDeep(offset: UInt64, limit: Int)
    /// The header is JSON but not an object.
    case headerNotAnObject
    /// Two tensors (or two `__metadata__` entries) have the same name.
    case duplicateTensorName(String)
    /// `__metadata__` is not an object of strings, or repeats `key`.
    case invalidMetadata(key: String?, reason: String)
    /// A tensor's entry is not `{"dtype": ..., "shape": [...], "data_offsets": [begin, end]}`.
    case malformedTensorInfo(tensor: String, reason: String)
    /// A dtype this reader does not know (or that torch cannot hold).
    case unknownDType(tensor: String, dtype: String)
    /// More tensors than ``SafetensorsLimits/maxTensors``.
    case tooManyTensors(limit: Int)
    /// More dimensions than ``SafetensorsLimits/maxDimensions``.
    case tooManyDimensions(tensor: String, count: Int, limit: Int)
    /// The tensor's element or byte count overflows 64 bits.
    case sizeOverflow(tensor: String)
    /// `data_offsets` with begin after end.
    case offsetsReversed(tensor: String, begin: UInt64, end: UInt64)
    /// `data_offsets` ending past the data area.
    case offsetsOutOfRange(tensor: String, end: UInt64, dataSize: UInt64)
    /// The offsets span another byte count than shape and dtype give.
    case sizeMismatch(tensor: String, expected: UInt64, actual: UInt64)
    /// Two tensors share bytes of the data area.
    case overlappingTensors(first: String, second: String)
    /// Bytes of the data area before `tensor` belong to no tensor (the reference refuses such files).
    case gapBeforeTensor(tensor: String, begin: UInt64, expected: UInt64)
    /// The tensors end before the file does: trailing bytes belong to no tensor.
    case uncoveredData(end: UInt64, dataSize: UInt64)
    /// Writing: a tensor's producer supplied another number of bytes than its shape and dtype give.
    case producedSizeMismatch(tensor: String, expected: UInt64, actual: UInt64)

    /// One clause naming the culprit.
    public var description: String {
        switch self {
        case .fileTooSmall(let size):
            return "the file has \(size) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let length, let limit):
            return "header length \(length) exceeds the limit of \(limit) bytes"
        case .headerBeyondFile(let length, let fileSize):
            return "header length \(length) reaches past the end of the file (\(fileSize) bytes)"
        case .headerNotUTF8(let offset):
            return "the header is not UTF-8 (bad byte at offset \(offset))"
        case .invalidJSON(let offset, let reason):
            return "the header is not valid JSON at offset \(offset): \(reason)"
        case .jsonTooDeep(let offset, let limit):
            return "the header nests JSON deeper than \(limit) levels at offset \(offset)"
        case .headerNotAnObject:
            return "the header is not a JSON object"
        case .duplicateTensorName(let name):
            return "tensor name '\(name)' appears more than once"
        case .invalidMetadata(let key, let reason):
            return "__metadata__" + (key.map { " entry '\($0)'" } ?? "") + ": \(reason)"
        default:
            return tensorDescription
        }
    }

    /// The descriptions of the per-tensor cases (split to keep functions short).
    private var tensorDescription: String {
        switch self {
        case .malformedTensorInfo(let tensor, let reason):
            return "tensor '\(tensor)': \(reason)"
        case .unknownDType(let tensor, let dtype):
            return "tensor '\(tensor)': unknown dtype '\(dtype)'"
        case .tooManyTensors(let limit):
            return "the header declares more than \(limit) tensors"
        case .tooManyDimensions(let tensor, let count, let limit):
            return "tensor '\(tensor)': \(count) dimensions exceed the limit of \(limit)"
        case .sizeOverflow(let tensor):
            return "tensor '\(tensor)': element or byte count overflows 64 bits"
        case .offsetsReversed(let tensor, let begin, let end):
            return "tensor '\(tensor)': data_offsets [\(begin), \(end)] begin after they end"
        case .offsetsOutOfRange(let tensor, let end, let dataSize):
            return "tensor '\(tensor)': data_offsets end at \(end), past the data area of \(dataSize) bytes"
        case .sizeMismatch(let tensor, let expected, let actual):
            return "tensor '\(tensor)': data_offsets span \(actual) bytes, shape and dtype need \(expected)"
        case .overlappingTensors(let first, let second):
            return "tensors '\(first)' and '\(second)' overlap in the data area"
        case .gapBeforeTensor(let tensor, let begin, let expected):
            return "tensor '\(tensor)': data_offsets begin at \(begin), leaving bytes from \(expected) unused"
        case .uncoveredData(let end, let dataSize):
            return "the tensors end at data offset \(end) but the data area has \(dataSize) bytes"
        case .producedSizeMismatch(let tensor, let expected, let actual):
            return "tensor '\(tensor)': \(actual) bytes were produced, \(expected) declared"
        default:
            preconditionFailure("every case is described by one of the two switches")
        }
    }
}

/// Inner validation code throws a bare problem; ``SafetensorsReader`` and ``SafetensorsWriter`` wrap it with
/// the file's path at their boundary, so callers only ever see ``ContainerError``.
extension SafetensorsProblem: Error {}
