import ArgumentParser
import Foundation
import MergeDAConv

/// `merge-daconv verify ORIGINAL MERGED`: the equivalence gate for release pipelines.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a merged checkpoint computes what its DAConv checkpoint computed, whoever merged it.",
        discussion: """
            Pairs each DAConv module P of ORIGINAL with the conv P.weight/P.bias of MERGED and runs both on seeded \
            probe inputs (the DAConv branch by branch in float64, the merged conv as stored); everything else must be \
            present and identical. The tolerance accepts any merge by the natural formula, rounded once or step by \
            step in the dtype (docs/equivalence.md).

            Exit status: 0 equivalent, 1 not equivalent, 2 usage error, 3 unreadable input, 4 a report or summary \
            could not be written.
            """
    )

    @Argument(help: "The checkpoint with DAConv modules.")
    var original: String

    @Argument(help: "The merged checkpoint to check.")
    var merged: String

    @Option(help: ArgumentHelp("Write the report as JSON to this file.", valueName: "path"))
    var report: String?

    @Option(help: ArgumentHelp("Write the result as JUnit XML (one test case per module) to this file.", valueName: "path"))
    var junit: String?

    @Option(name: .customLong("summary-md"), help: JobSummary.optionHelp)
    var summaryMarkdown: String?

    @Option(help: "Probe inputs per module.")
    var probeBatch = 2

    @Option(help: "Square spatial size of the probe inputs (default: the smallest that covers every border).")
    var probeSize: Int?

    @Option(help: "Seed of the probe inputs.")
    var seed: UInt64 = ProbeOptions().seed

    @Option(help: "Absolute tolerance for every layer (default: derived from each layer's dtype and weights).")
    var tolerance: Double?

    @Option(name: .customLong("branch"), help: ArgumentHelp("A branch rule NAME:KIND:GATE, as for merge.", valueName: "rule"))
    var branches: [String] = []

    @Option(help: ArgumentHelp("A rules file, as for merge.", valueName: "path"))
    var rules: String?

    @Flag(name: [.short, .long], help: "Print only errors and the verdict.")
    var quiet = false

    func validate() throws {
        guard probeBatch >= 1, probeBatch <= 1024 else { throw ValidationError("--probe-batch must be between 1 and 1024") }
        if let probeSize, !(1...4096).contains(probeSize) { throw ValidationError("--probe-size must be between 1 and 4096") }
        if let tolerance, !(tolerance >= 0 && tolerance.isFinite) {
            throw ValidationError("--tolerance must be a finite number >= 0")
        }
        if rules != nil, !branches.isEmpty { throw ValidationError("give either --rules or --branch, not both") }
    }

    func run() throws {
        var request = VerifyRequest(original: original, merged: merged)
        request.rules = try RuleOptions.rules(branches: branches, file: rules)
        request.probe = ProbeOptions(batch: probeBatch, size: probeSize, seed: seed, tolerance: tolerance)
        let result = try ToolFailure.reporting { try VerifyRun.run(request) }
        if let report { try ReportFile.write(result.json(), to: report) }
        if let junit { try ReportFile.write(text: result.junit(), to: junit) }
        try JobSummary.write({ MarkdownSummary.verify(result, original: original, merged: merged) }, to: summaryMarkdown)
        if quiet {
            print(result.text().split(separator: "\n").last.map(String.init) ?? "")
        } else {
            print(result.text(), terminator: "")
        }
        if !result.passed { throw ExitCode(ToolFailure.checkFailed) }
    }
}
