import ArgumentParser

/// The `merge-daconv` command: merging is the default subcommand, so `merge-daconv IN OUT` merges.
public struct MergeDAConvCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "merge-daconv",
        abstract: "Fold DAConv modules of PyTorch checkpoints into plain convolutions, natively and safely.",
        discussion: """
            Reads PyTorch checkpoints (zip and legacy formats) without Python or PyTorch, and never runs code
            from a pickle. Exit status: 0 success, 1 a check failed, 2 usage error, 3 unreadable input,
            4 the output could not be written.
            """,
        subcommands: [InspectCommand.self],
        defaultSubcommand: InspectCommand.self
    )

    public init() {}
}
