import Foundation
import MergeDAConv
import TestSupport
import XCTest

@testable import DAConvVerify

/// The job summary of a batch merge.
final class BatchMergeSummaryTests: XCTestCase {
    /// A batch: one row per file, a failed file with its message, and the layer table of a file whose
    /// layers failed.
    func testABatchGivesOneRowPerFile() throws {
        let scratch = try Fixtures.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputs = [Fixtures.path("tiny_sd.pth"), Fixtures.path("bad/empty.pth")]
        let items = BatchMerge.run(
            inputs: inputs, outputDirectory: scratch.path, template: MergeRequest(input: "", output: ""), jobs: 1
        ) { _ in }
        let worst = try XCTUnwrap(items[0].result.get().report.layers.map(\.margin).max())
        let failure = try XCTUnwrap(items[1].result.failure?.message)
        XCTAssertEqual(
            MarkdownSummary.batch(items.map(\.summaryFile)).split(separator: "\n").map(String.init),
            [
                "### ❌ merge-daconv merge: 1 of 2 files failed", "| input | output | layers | worst margin | result |",
                "|---|---|---:|---:|---|",
                "| `\(inputs[0])` | `\(items[0].output)` | 4 | \(MarkdownSummary.margin(worst)) | ok |",
                "| `\(inputs[1])` | `\(items[1].output)` | – | – | **FAILED**: \(MarkdownSummary.inline(failure)) |",
            ])
    }

}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
