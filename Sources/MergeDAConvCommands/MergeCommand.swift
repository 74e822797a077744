import ArgumentParser
import Foundation
import MergeDAConv

/// `merge-daconv [merge] INPUT OUTPUT`, or many inputs with `--out-dir`: the default subcommand.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Fold every DAConv module into one convolution and write a checkpoint PyTorch loads.",
        discussion: """
            The output is torch's zip format (loadable with torch.load(weights_only=True) and mmap=True), or \
            safetensors when OUTPUT ends in .safetensors or --format safetensors is given (the state dict that holds \
            the network; other entries are listed in the report, strings and numbers kept in __metadata__). Each \
            merged layer is checked against its DAConv on seeded probe inputs before the output is given its name; \
            a failed check, an unfoldable module or any error leaves no output file. INPUT may be a .safetensors file.

            With --out-dir, every INPUT (files, or folders of .pth, .pt, .bin, .ckpt, .tar and .safetensors files) \
            is merged into DIR under its own name (with --format, its extension: .pth or .safetensors), several at a \
            time; one line per file, and a failure does not stop the others.
            """
    )

    @Argument(help: ArgumentHelp("INPUT OUTPUT, or with --out-dir the inputs (files or folders).", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Merge every input into this folder (batch mode).", valueName: "dir"))
    var outDir: String?

    @Option(help: "Merges to run at once in batch mode (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Output container: zip (torch.save's format) or safetensors. Default: from OUTPUT's extension (.safetensors), else zip.",
            valueName: "zip|safetensors"))
    var format: String?

    @Flag(help: "Replace outputs that exist.")
    var force = false

    @Option(help: ArgumentHelp("Write the equivalence report as JSON to this file.", valueName: "path"))
    var report: String?

    @Option(name: .customLong("summary-md"), help: JobSummary.optionHelp)
    var summaryMarkdown: String?

    @Flag(help: "Keep optimizer state (dropped by default: it refers to parameters by position).")
    var keepOptimizer = false

    @Flag(
        help: "Write numpy values, paths and other objects back as read (the output then needs torch.load(weights_only=False)).")
    var keepObjects = false

    @Option(
        name: .customLong("branch"),
        help: ArgumentHelp(
            "A branch rule NAME:KIND:GATE (KIND add|difference|vanilla, GATE a parameter or none); repeat for each branch. Default: cac:add:cac_theta cdc:difference:cdc_theta.",
            valueName: "rule"))
    var branches: [String] = []

    @Option(help: ArgumentHelp("A rules file: one 'NAME KIND GATE' line per branch.", valueName: "path"))
    var rules: String?

    @Flag(name: [.short, .long], help: "Print only errors.")
    var quiet = false

    func validate() throws {
        if rules != nil, !branches.isEmpty { throw ValidationError("give either --rules or --branch, not both") }
        if outDir == nil, paths.count != 2 { throw ValidationError("give INPUT and OUTPUT, or inputs with --out-dir DIR") }
        if outDir != nil, paths.isEmpty { throw ValidationError("give at least one input with --out-dir") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let format, CheckpointOutputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be zip or safetensors, not '\(format)'")
        }
    }

    func run() throws {
        var request = MergeRequest(input: "", output: "")
        request.merge = MergeOptions(
            rules: try RuleOptions.rules(branches: branches, file: rules), keepOptimizer: keepOptimizer, keepObjects: keepObjects)
        request.replaceExisting = force
        request.format = format.flatMap(CheckpointOutputFormat.init(rawValue:))
        if let outDir {
            try BatchMergeCommand(
                request: request, inputs: paths, outDir: outDir, jobs: jobs, report: report, summaryMarkdown: summaryMarkdown,
                quiet: quiet
            ).run()
        } else {
            try mergeOne(request)
        }
    }

    private func mergeOne(_ template: MergeRequest) throws {
        if ProcessExit.reclaimsMemory { ProcessMemoryTuning.preferHugePages() }
        var request = template
        request.input = paths[0]
        request.output = paths[1]
        let bar = ProgressBar(label: "merging \(request.input)", quiet: quiet)
        request.progress = { written, total in
            bar.update(written, of: total, detail: "\(Formatting.bytes(written)) of \(Formatting.bytes(total))")
        }
        let outcome = try ToolFailure.reporting { try MergeRun.run(request) }
        bar.finish()
        if let report { try ReportFile.write(outcome.report.json(), to: report) }
        try JobSummary.write(
            {
                MarkdownSummary.merge(
                    outcome.report, input: request.input, output: request.output, written: outcome.written != nil)
            }, to: summaryMarkdown)
        if !quiet { print(outcome.report.text(), terminator: "") }
        guard outcome.written != nil else {
            ToolFailure.printError("\(request.output) was not written: a merged layer is not equivalent to its DAConv")
            throw ExitCode(ToolFailure.checkFailed)
        }
        if !quiet { print("wrote \(request.output)") }
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
