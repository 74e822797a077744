import DAConvMerge
import TorchCheckpoint

/// What kind of failure ended a merge, and its one-line message: the one mapping that a single merge and each
/// file of a batch share, so both give the same exit status and name the file once.
public struct MergeFailure: Error, Sendable, CustomStringConvertible {
    /// What failed; the command line maps each kind to one exit status.
    public enum Kind: Sendable, Equatable {
        /// The input cannot be read as a checkpoint, or holds something refused (a dangerous global).
        case unreadableInput
        /// The output cannot be written.
        case writeFailed
        /// A DAConv module cannot be folded.
        case unfoldable
        /// A merged layer is not equivalent to its DAConv, or another failure.
        case notEquivalent
    }

    /// What failed.
    public let kind: Kind
    /// One line naming the file at fault once.
    public let message: String

    /// The message.
    public var description: String { message }

    /// A failure of `kind` described by `message` (which names its file).
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The kind and message of an error a merge threw for `input`. Library errors name their file already;
    /// anything else gets the input's name in front.
    public init(_ error: Error, input: String) {
        switch error {
        case let error as MergeFailure:
            self = error
        case let error as CheckpointError:
            if case .writeFailed = error.reason {
                self.init(kind: .writeFailed, message: error.description)
            } else {
                self.init(kind: .unreadableInput, message: error.description)
            }
        case let error as MergeError:
            switch error {
            case .dangerousGlobal: self.init(kind: .unreadableInput, message: error.description)
            case .unfoldable: self.init(kind: .unfoldable, message: error.description)
            }
        default:
            self.init(kind: .notEquivalent, message: "\(input): \(error)")
        }
    }
}
