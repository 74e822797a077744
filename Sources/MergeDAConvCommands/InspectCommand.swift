import ArgumentParser
import MergeDAConv

/// `merge-daconv inspect FILE [--json]`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a checkpoint holds: structure, modules and tensors, storages, DAConv modules, globals."
    )

    @Argument(help: "The checkpoint to read (.pth, .pt, .bin, .ckpt, .safetensors; zip, legacy or safetensors format).")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(
        help: ArgumentHelp(
            "List every global the pickles reference, each allowed, unsafe for torch.load or dangerous; exit 1 if one is dangerous.",
            discussion: "Nothing is run or refused while listing. Exit 3 when a pickle cannot be scanned to its end."))
    var audit = false

    func run() throws {
        if audit { return try AuditReporting.run(file: file, json: json) }
        if ProcessExit.reclaimsMemory { ProcessMemoryTuning.preferHugePages() }
        let inspection = try ToolFailure.reporting { try CheckpointInspection.inspect(file) }
        if json {
            inspection.json().serialized { print($0, terminator: "") }
            print()
        } else {
            print(inspection.text(), terminator: "")
        }
        ProcessExit.keepUntilExit(inspection)
    }
}
