import DAConvVerify

extension BatchMerge.Item {
    /// This file as a row of the batch's Markdown job summary.
    public var summaryFile: MarkdownSummary.BatchFile {
        MarkdownSummary.BatchFile(
            input: input, output: output,
            outcome: result.map { (report: $0.report, written: $0.written != nil) }
                .mapError { MarkdownSummary.BatchFailure(message: $0.message) })
    }
}
