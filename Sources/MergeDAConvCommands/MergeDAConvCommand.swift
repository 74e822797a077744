import ArgumentParser
import Glibc
import MergeDAConv

/// The `merge-daconv` command: merging is the default subcommand, so `merge-daconv IN OUT` merges.
public struct MergeDAConvCommand: ParsableCommand {
    /// The release number, here and nowhere else: `--version` prints it, and scripts/package names the wheel
    /// and the tarball after what `--version` prints.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "merge-daconv",
        abstract: "Fold DAConv modules of PyTorch checkpoints into plain convolutions, natively and safely.",
        discussion: """
            Reads PyTorch checkpoints (zip, legacy and safetensors formats) without Python or PyTorch, and never \
            runs code from a pickle.

            Exit status: 0 success, 1 a check failed, 2 usage error, 3 unreadable input, 4 the output could not be \
            written, 5 a DAConv module cannot be folded.
            """,
        version: "merge-daconv \(version) (convolution kernels: \(Conv2D.kernelName))",
        subcommands: [MergeCommand.self, InspectCommand.self, VerifyCommand.self],
        defaultSubcommand: MergeCommand.self
    )

    public init() {}

    /// Runs the tool and exits with the README's statuses.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        ProcessExit.reclaimsMemory = true
        let status = status(running: arguments ?? Array(CommandLine.arguments.dropFirst()))
        fflush(stdout)
        Glibc.exit(status)
    }

    /// Runs the tool in this process and returns its exit status: usage errors give 2 (argument-parser's own
    /// default is 64), help and `--version` print to stdout and give 0. Tests run commands this way.
    public static func status(running arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let status = exitCode(for: error)
            if status == .validationFailure {
                ToolFailure.printError(message(for: error) + " (see merge-daconv --help)")
                return ToolFailure.usage
            }
            let text = fullMessage(for: error)
            if status == .success {
                if !text.isEmpty { print(text) }
            } else if !text.isEmpty {
                fputs(text + "\n", stderr)
            }
            return status.rawValue
        }
    }
}
