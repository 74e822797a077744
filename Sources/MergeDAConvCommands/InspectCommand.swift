import ArgumentParser
import DAConvMerge

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

    func run() throws {
        let inspection = try ToolFailure.reporting { try CheckpointInspection.inspect(file) }
        if json {
            print(inspection.json().serialized())
        } else {
            print(inspection.text(), terminator: "")
        }
    }
}
