import DAConvMerge
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

@testable import DAConvVerify

/// The job summary's Markdown: verdict on top, one row per layer, and names from files rendered inert.
final class MarkdownSummaryTests: XCTestCase {
    private static let header = ["| module | max abs error | tolerance | margin | result |", "|---|---:|---:|---:|---|"]

    /// The rows a verify run of the fixtures gives: the report's own numbers, in the report's layer order.
    func testVerifyOfAFixtureGivesTheVerdictThenOneRowPerLayer() throws {
        let original = Fixtures.path("tiny_sd.pth")
        let merged = Fixtures.path("tiny_sd.expected.pth")
        let report = try VerifyRun.run(VerifyRequest(original: original, merged: merged))
        XCTAssertTrue(report.passed)
        let lines = MarkdownSummary.verify(report, original: original, merged: merged).split(
            separator: "\n", omittingEmptySubsequences: false)
        let rows = report.layers.map { layer in
            "| `\(layer.module)` | \(EquivalenceReport.scientific(layer.maxAbsError)) | "
                + "\(EquivalenceReport.scientific(layer.tolerance)) | \(MarkdownSummary.margin(layer.margin)) | ok |"
        }
        XCTAssertEqual(report.layers.map(\.module), ["stem", "body.0", "body.3", "down"])
        let expected =
            [
                "### ✅ merge-daconv verify: equivalent, 4 layers checked", "",
                "`\(original)` against `\(merged)`", "",
            ] + Self.header + rows
            + ["", "```text", "pass-through: 7 entries identical (tensors and scalars)", "```", ""]
        XCTAssertEqual(lines.map(String.init), expected)
        for layer in report.layers { XCTAssertLessThan(layer.margin, 1, layer.module) }
    }

    func testAFailedVerifySaysWhyOnTop() throws {
        let original = Fixtures.path("tiny_sd.pth")
        let merged = Fixtures.path("tiny_sd_f64.expected.pth")
        let report = try VerifyRun.run(VerifyRequest(original: original, merged: merged))
        let text = MarkdownSummary.verify(report, original: original, merged: merged)
        XCTAssertTrue(
            text.hasPrefix("### ❌ merge-daconv verify: NOT equivalent, 0 of 4 layers failed, pass-through differs\n"), text)
        XCTAssertTrue(text.contains("```text\npass-through: changed: body.1.weight: dtype float32 became float64\n"), text)
    }

    func testAMergeThatWasNotWrittenSaysSo() throws {
        let report = EquivalenceReport(layers: [Self.layer("stem", error: 2e-6, tolerance: 1e-6, passed: false)])
        XCTAssertEqual(
            MarkdownSummary.merge(report, input: "in.pth", output: "out.pth", written: false),
            """
            ### ❌ merge-daconv merge: NOT equivalent, 1 of 1 layer failed

            `in.pth` → `out.pth` (**not written**)

            \(Self.header.joined(separator: "\n"))
            | `stem` | 2.00e-06 | 1.00e-06 | 2.00 | **FAILED** |

            """)
    }

    /// Names and messages from a hostile file can neither split a cell (a failed row must not read `ok`),
    /// nor become links, images, HTML or math, nor close the notes' fence.
    func testNamesFromFilesCannotBreakTheTableOrInjectMarkup() {
        let report = EquivalenceReport(
            layers: [
                Self.layer("evil|`x`\n[link](http://e)", error: 1e-7, tolerance: 1e-6, passed: true),
                Self.layer("a\\| ok |", error: .infinity, tolerance: 0, passed: false, problem: "<img src=x> **b** $x$ | ok"),
            ],
            warnings: ["```\n# heading"])
        XCTAssertEqual(
            MarkdownSummary.verify(report, original: "o.pth", merged: "m.pth"),
            """
            ### ❌ merge-daconv verify: NOT equivalent, 1 of 2 layers failed

            `o.pth` against `m.pth`

            \(Self.header.joined(separator: "\n"))
            | ``evil\\|`x` [link](http://e)`` | 1.00e-07 | 1.00e-06 | 0.100 | ok |
            | a\\\\\\| ok \\| | inf | 0 | inf | **FAILED**: \\<img src=x\\> \\*\\*b\\*\\* \\$x\\$ \\| ok |

            ````text
            warning: ``` # heading
            ````

            """)
    }

    /// GitHub drops a step's whole summary past 1 MiB: thousands of changed entries must not push it there.
    func testLongNotesAreCutWithACount() {
        let changed = (0..<5000).map { "layer\($0).weight: values differ" }
        let report = EquivalenceReport(layers: [], passThrough: PassThroughCheck(compared: 5000, changed: changed))
        let text = MarkdownSummary.verify(report, original: "o.pth", merged: "m.pth")
        XCTAssertTrue(
            text.contains(
                "pass-through: changed: layer49.weight: values differ\n"
                    + "... and 4950 more (the JSON report lists every one)\n```\n"), text)
        XCTAssertFalse(text.contains("layer50.weight"))
        XCTAssertLessThan(text.utf8.count, 8 * 1024)
    }

    private static func layer(_ module: String, error: Double, tolerance: Double, passed: Bool, problem: String? = nil)
        -> LayerCheck
    {
        LayerCheck(
            module: module, kernel: [3, 3], dtype: .float32, stride: [1, 1], dilation: [1, 1], groups: 1,
            geometrySource: .assumed, probeShape: [2, 4, 5, 5], maxAbsError: error, maxRelError: error,
            tolerance: tolerance, toleranceRule: "test", passed: passed, problem: problem)
    }

    /// The margin reads as in the text report, with Markdown's active characters escaped.
    func testMarginIsWrittenAsInTheTextReport() {
        for value in [0, 0.0001, 0.0412, 0.134, 1, 12.34, 2.5e7, .infinity, .nan] {
            XCTAssertEqual(MarkdownSummary.margin(value), MarkdownSummary.inline(EquivalenceReport.marginText(value)))
        }
        XCTAssertEqual(MarkdownSummary.margin(0.0001), "\\<0.001")
        XCTAssertEqual(MarkdownSummary.margin(0.134), "0.134")
    }
}
