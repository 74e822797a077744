import CheckpointContainers
import PickleMachine

/// Why a file could not be read or written as a torch checkpoint. Every description is one line naming the
/// file and the record, key or tensor at fault.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint file.
    public let path: String
    public let reason: Reason

    public init(path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public enum Reason: Equatable, Sendable {
        /// Neither a zip archive nor torch's legacy format.
        case notACheckpoint(String)
        /// The container layer refused the file (its message names the file already).
        case container(ContainerError)
        /// The pickle in `record` is malformed or asks for something refused.
        case pickle(PickleError, record: String)
        /// A record torch needs is absent (`data.pkl`, `data/<key>`, `version`).
        case missingRecord(String)
        /// A record or file part that must hold an exact number of bytes holds another.
        case sizeMismatch(what: String, expected: UInt64, actual: UInt64)
        /// A persistent id, rebuild call or dtype global that does not have the form torch writes.
        case malformed(what: String, detail: String)
        /// A storage class or dtype global that names no dtype we know.
        case unknownDType(String)
        /// A tensor whose size, stride and offset reach outside its storage.
        case tensorOutOfBounds(tensor: String, storageKey: String, needed: String, available: Int)
        /// Sizes, strides or offsets that overflow 64 bits or are negative.
        case invalidGeometry(tensor: String, detail: String)
        /// The same storage key is declared with different dtypes or sizes.
        case inconsistentStorage(key: String, detail: String)
        /// A numpy value or path at `path` that is not read as data, or not written as numpy or pathlib write it.
        case dataObject(path: String, String)
        /// A nesting, count or size limit of ours was reached.
        case limitExceeded(what: String, limit: Int)
        /// A record that is not valid for torch (`version`, `byteorder`).
        case invalidRecord(name: String, detail: String)
        /// Writing the output failed.
        case writeFailed(String)
    }

    public var description: String {
        switch reason {
        case .container(let error): return error.description
        case .pickle(let error, let record): return "\(path): pickle \(record): \(error)"
        default: return "\(path): \(reasonText)"
        }
    }

    private var reasonText: String {
        switch reason {
        case .notACheckpoint(let why): return "not a PyTorch checkpoint (\(why))"
        case .container(let error): return error.description
        case .pickle(let error, let record): return "pickle \(record): \(error)"
        case .missingRecord(let name): return "record \(name) is missing"
        case .sizeMismatch(let what, let expected, let actual):
            return "\(what) holds \(actual) bytes, expected \(expected)"
        case .malformed(let what, let detail): return "malformed \(what): \(detail)"
        case .unknownDType(let name): return "unknown dtype or storage type \(name)"
        case .tensorOutOfBounds(let tensor, let key, let needed, let available):
            return "tensor \(tensor) reaches outside storage \(key): needs \(needed) elements, storage has \(available)"
        case .invalidGeometry(let tensor, let detail): return "tensor \(tensor): \(detail)"
        case .inconsistentStorage(let key, let detail): return "storage \(key) is declared inconsistently: \(detail)"
        case .dataObject(let path, let problem): return "\(path): \(problem)"
        case .limitExceeded(let what, let limit): return "\(what) exceeds the limit of \(limit)"
        case .invalidRecord(let name, let detail): return "record \(name) is invalid: \(detail)"
        case .writeFailed(let detail): return "cannot write: \(detail)"
        }
    }
}

/// Inner code throws a bare reason; the reader wraps it with the file's path at its boundary.
extension CheckpointError.Reason: Error {}
