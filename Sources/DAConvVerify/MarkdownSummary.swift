import DAConvMerge
import TorchCheckpoint

/// Reports as GitHub-flavoured Markdown for a CI job's summary page (`GITHUB_STEP_SUMMARY`, or any file
/// through `--summary-md`): the verdict on top, where a reviewer looks first, then one table row per layer
/// with its margin (error over tolerance), so a near miss shows before it becomes a failure.
///
/// Module names, paths and messages come from checkpoints downloaded from strangers: each is rendered so
/// that it can neither break the table nor inject links, images or HTML into the page.
public enum MarkdownSummary {
    /// `merge-daconv verify ORIGINAL MERGED`.
    public static func verify(_ report: EquivalenceReport, original: String, merged: String) -> String {
        document(
            heading: "merge-daconv verify", report: report,
            subject: "\(code(original)) against \(code(merged))")
    }

    /// `merge-daconv merge INPUT OUTPUT`; `written` is false when a failed check kept OUTPUT from being named.
    public static func merge(_ report: EquivalenceReport, input: String, output: String, written: Bool) -> String {
        document(
            heading: "merge-daconv merge", report: report,
            subject: "\(code(input)) → \(code(output))" + (written ? "" : " (**not written**)"))
    }

    /// One file of a batch merge: its report when the merge ran, or why it could not.
    public struct BatchFile: Sendable {
        public let input: String
        public let output: String
        public let outcome: Result<(report: EquivalenceReport, written: Bool), BatchFailure>

        public init(input: String, output: String, outcome: Result<(report: EquivalenceReport, written: Bool), BatchFailure>) {
            self.input = input
            self.output = output
            self.outcome = outcome
        }
    }

    /// Why a file of a batch was not merged, in the words of its error line.
    public struct BatchFailure: Error, Sendable {
        public let message: String

        public init(message: String) {
            self.message = message
        }
    }

    /// Batch merges: one row per file, then the layer table of every file whose layers failed.
    public static func batch(_ files: [BatchFile]) -> String {
        let failed = files.filter { (try? $0.outcome.get().written) != true }.count
        var lines = [
            "### "
                + (failed == 0
                    ? "✅ merge-daconv merge: \(Formatting.plural(files.count, "file")) merged"
                    : "❌ merge-daconv merge: \(failed) of \(Formatting.plural(files.count, "file")) failed"),
            "",
            "| input | output | layers | worst margin | result |",
            "|---|---|---:|---:|---|",
        ]
        var failedTables: [String] = []
        for file in files {
            switch file.outcome {
            case .success(let (report, written)):
                let layers = report.layers
                let worst = layers.map(\.margin).max()
                let result = written ? "ok" : "**not written**: layers not equivalent"
                lines.append(row([code(file.input), code(file.output), "\(layers.count)", worst.map(margin) ?? "–", result]))
                if !written {
                    failedTables += ["", "#### \(code(file.input))", ""] + layerTable(layers)
                }
            case .failure(let failure):
                lines.append(
                    row([
                        code(file.input), file.output.isEmpty ? "–" : code(file.output), "–", "–",
                        "**FAILED**: " + inline(failure.message),
                    ]))
            }
        }
        return (lines + failedTables).joined(separator: "\n") + "\n"
    }

    private static func document(heading: String, report: EquivalenceReport, subject: String) -> String {
        var lines = ["### " + verdict(heading, report), "", subject, ""]
        lines += report.layers.isEmpty ? ["No DAConv module was checked."] : layerTable(report.layers)
        let notes =
            (report.passThrough?.textLines() ?? [])
            + report.dropped.map { "dropped: \($0) (optimizer state refers to parameters by position)" }
            + report.warnings.map { "warning: \($0)" }
        if !notes.isEmpty { lines += [""] + fenced(capped(notes)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Notes shown on the page. GitHub drops a step's whole summary past 1 MiB, and a checkpoint can differ in
    /// thousands of entries: the JSON report lists them all.
    static let noteLimit = 50

    private static func capped(_ notes: [String]) -> [String] {
        guard notes.count > noteLimit else { return notes }
        return notes.prefix(noteLimit) + ["... and \(notes.count - noteLimit) more (the JSON report lists every one)"]
    }

    private static func verdict(_ heading: String, _ report: EquivalenceReport) -> String {
        let layers = Formatting.plural(report.layers.count, "layer")
        guard !report.passed else { return "✅ \(heading): equivalent, \(layers) checked" }
        let failed = report.layers.filter { !$0.passed }.count
        return "❌ \(heading): NOT equivalent, \(failed) of \(layers) failed"
            + (report.passThrough?.passed == false ? ", pass-through differs" : "")
    }

    private static func layerTable(_ layers: [LayerCheck]) -> [String] {
        ["| module | max abs error | tolerance | margin | result |", "|---|---:|---:|---:|---|"]
            + layers.map { layer in
                row([
                    code(layer.module), EquivalenceReport.scientific(layer.maxAbsError),
                    EquivalenceReport.scientific(layer.tolerance), margin(layer.margin),
                    layer.passed ? "ok" : "**FAILED**" + (layer.problem.map { ": " + inline($0) } ?? ""),
                ])
            }
    }

    private static func row(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }

    /// Error over tolerance, written as the text report writes it (`0.0412`, `0.734`, `12.3`, `<0.001`).
    static func margin(_ value: Double) -> String {
        inline(EquivalenceReport.marginText(value))
    }

    /// A code span that stays one table cell: a backtick fence longer than any run of backticks inside,
    /// pipes escaped (GitHub splits cells at a pipe even inside code), line breaks as spaces. Text with a
    /// backslash is escaped prose instead: a code span cannot escape a backslash that precedes a pipe, and
    /// that pipe would end the cell and shift the rest of the row (a failed layer's row could read `ok`).
    static func code(_ text: String) -> String {
        guard !text.contains("\\") else { return inline(text) }
        let flat = String(singleLine(text).flatMap { $0 == "|" ? ["\\", "|"] : [$0] })
        let fence = String(repeating: "`", count: longestRun(of: "`", in: flat) + 1)
        let padded = flat.hasPrefix("`") || flat.hasSuffix("`") || flat.isEmpty ? " \(flat) " : flat
        return fence + padded + fence
    }

    /// Prose from a file (an error message): Markdown's active characters backslash-escaped, so it renders
    /// as the same words and nothing else.
    static func inline(_ text: String) -> String {
        let active: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "&", "~", "$", "!", "#"]
        return String(singleLine(text).flatMap { active.contains($0) ? ["\\", $0] : [$0] })
    }

    /// Lines as a fenced block, shown verbatim: the fence is longer than any run of backticks inside.
    static func fenced(_ lines: [String]) -> [String] {
        let fence = String(repeating: "`", count: max(3, (lines.map { longestRun(of: "`", in: $0) }.max() ?? 0) + 1))
        return [fence + "text"] + lines.map(singleLine) + [fence]
    }

    private static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
    }

    private static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        for c in text {
            current = c == character ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
