import ArgumentParser
import MergeDAConv

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns library errors into one line on stderr and the exit status the README documents.
enum ToolFailure {
    /// Exit status for a check that failed (a layer not equivalent).
    static let checkFailed: Int32 = 1
    /// Exit status for a command line that does not parse.
    static let usage: Int32 = 2
    /// Exit status for input that cannot be read as a checkpoint.
    static let unreadableInput: Int32 = 3
    /// Exit status when the output cannot be written.
    static let writeFailed: Int32 = 4

    /// Exit status when a DAConv module cannot be folded.
    static let unfoldable: Int32 = 5

    /// The exit status of each kind of failure: the one table single merges and batches use.
    static func status(_ kind: MergeFailure.Kind) -> Int32 {
        switch kind {
        case .unreadableInput: return unreadableInput
        case .writeFailed: return writeFailed
        case .unfoldable: return unfoldable
        case .notEquivalent: return checkFailed
        }
    }

    /// Runs `body`; a library error is printed as `merge-daconv: <message>` and exits with its status.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error where error is CheckpointError || error is MergeError || error is MergeFailure {
            let failure = MergeFailure(error, input: "")
            printError(failure.message)
            throw ExitCode(status(failure.kind))
        }
    }

    static func printError(_ message: String) {
        let line = "merge-daconv: " + message.split(separator: "\n").joined(separator: " ") + "\n"
        fputs(line, stderr)
    }
}
