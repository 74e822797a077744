import ArgumentParser
import DAConvMerge
import DAConvVerify
import Foundation
import TorchCheckpoint

/// `merge-daconv [merge] INPUT OUTPUT`: the default subcommand.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold every DAConv module into one convolution and write a checkpoint PyTorch loads.",
        discussion: """
            The output is torch's zip format (loadable with torch.load(weights_only=True) and mmap=True). Each
            merged layer is checked against its DAConv on seeded probe inputs before the output is given its
            name; a failed check, an unfoldable module or any error leaves no output file.
            """
    )

    @Argument(help: "The DAConv checkpoint to read (zip or legacy format).")
    var input: String

    @Argument(help: "Where to write the merged checkpoint.")
    var output: String

    @Flag(help: "Replace OUTPUT if it exists.")
    var force = false

    @Option(help: ArgumentHelp("Write the equivalence report as JSON to this file.", valueName: "path"))
    var report: String?

    @Flag(help: "Keep optimizer state (dropped by default: it refers to parameters by position).")
    var keepOptimizer = false

    @Option(name: .customLong("branch"), help: ArgumentHelp(
        "A branch rule NAME:KIND:GATE (KIND add|difference|vanilla, GATE a parameter or none); repeat for each branch. Default: cac:add:cac_theta cdc:difference:cdc_theta.",
        valueName: "rule"))
    var branches: [String] = []

    @Option(help: ArgumentHelp("A rules file: one 'NAME KIND GATE' line per branch.", valueName: "path"))
    var rules: String?

    @Flag(name: [.short, .long], help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if rules != nil, !branches.isEmpty { throw ValidationError("give either --rules or --branch, not both") }
    }

    func run() throws {
        var request = MergeRequest(input: input, output: output)
        request.merge = MergeOptions(rules: try RuleOptions.rules(branches: branches, file: rules), keepOptimizer: keepOptimizer)
        request.replaceExisting = force
        let outcome = try ToolFailure.reporting { try MergeRun.run(request) }
        if let report { try ReportFile.write(outcome.report.json(), to: report) }
        if !quiet { print(outcome.report.text(), terminator: "") }
        guard outcome.written != nil else {
            ToolFailure.printError("\(output) was not written: a merged layer is not equivalent to its DAConv")
            throw ExitCode(ToolFailure.checkFailed)
        }
        if !quiet { print("wrote \(output)") }
    }
}

/// Turns `--branch` / `--rules` into rules, with usage errors for bad ones.
enum RuleOptions {
    static func rules(branches: [String], file: String?) throws -> DAConvRules {
        do {
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read the rules file \(file)")
                }
                return try DAConvRules.parse(rulesFile: String(decoding: data, as: UTF8.self), source: file)
            }
            return branches.isEmpty ? .standard : try DAConvRules.parse(branchSpecifications: branches)
        } catch let error as DAConvRules.ParseError {
            throw ValidationError(error.description)
        }
    }
}

/// Writes a report file (JSON or XML) atomically.
enum ReportFile {
    static func write(_ json: JSONValue, to path: String) throws {
        try write(text: json.serialized() + "\n", to: path)
    }

    static func write(text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            ToolFailure.printError("cannot write the report \(path): \(error.localizedDescription)")
            throw ExitCode(ToolFailure.writeFailed)
        }
    }
}
