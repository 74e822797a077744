import Foundation
import TestSupport
import XCTest

/// `verify` and `merge` as programs: the Markdown summary appended to `GITHUB_STEP_SUMMARY` and written by
/// `--summary-md`, its rows against the JSON report of the same run.
final class JobSummaryCommandTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    private func contents(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// The table's rows, split into cells.
    private func rows(_ markdown: String) -> [[String]] {
        markdown.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { line in
            line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
        }
    }

    func testVerifyAppendsToTheStepSummaryWhatSummaryMdWrites() throws {
        try "earlier step\n".write(toFile: path("step.md"), atomically: true, encoding: .utf8)
        let outcome = try InProcessTool.run(
            [
                "verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.expected.pth"), "-q",
                "--summary-md", path("summary.md"), "--report", path("report.json"),
            ],
            environment: ["GITHUB_STEP_SUMMARY": path("step.md")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let markdown = try contents("summary.md")
        XCTAssertTrue(markdown.hasPrefix("### ✅ merge-daconv verify: equivalent, 4 layers checked\n"), markdown)
        XCTAssertEqual(try contents("step.md"), "earlier step\n\n" + markdown)

        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("report.json")))) as? [String: Any])
        let layers = try XCTUnwrap(report["layers"] as? [[String: Any]])
        let table = rows(markdown)
        XCTAssertEqual(table.map { $0[0] }, layers.map { "`\($0["module"] as? String ?? "")`" })
        for (row, layer) in zip(table, layers) {
            let error = try XCTUnwrap(layer["max_abs_error"] as? Double)
            let tolerance = try XCTUnwrap(layer["tolerance"] as? Double)
            XCTAssertEqual(try XCTUnwrap(Double(row[1])), error, accuracy: error * 0.01)
            XCTAssertEqual(try XCTUnwrap(Double(row[2])), tolerance, accuracy: tolerance * 0.01)
            XCTAssertEqual(try XCTUnwrap(Double(row[3])), error / tolerance, accuracy: 0.006)
            XCTAssertEqual(row[4], "ok")
        }
    }

    func testAFailedVerifyStillWritesItsSummary() throws {
        let outcome = try InProcessTool.run(
            ["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("zero_dce.expected.pth")],
            environment: ["GITHUB_STEP_SUMMARY": path("step.md")])
        XCTAssertEqual(outcome.status, 1)
        let markdown = try contents("step.md")
        XCTAssertTrue(markdown.hasPrefix("### ❌ merge-daconv verify: NOT equivalent, 4 of 4 layers failed"), markdown)
        XCTAssertEqual(rows(markdown).count, 4)
        XCTAssertTrue(rows(markdown).allSatisfy { $0[4].hasPrefix("**FAILED**") }, markdown)
    }

    func testQuietMergeWritesItsSummaryWithoutGitHub() throws {
        let outcome = try InProcessTool.run(
            [Fixtures.path("zero_dce.pth"), path("z.pth"), "-q", "--summary-md", path("summary.md")],
            environment: ["GITHUB_STEP_SUMMARY": ""])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")
        let markdown = try contents("summary.md")
        XCTAssertTrue(
            markdown.hasPrefix(
                "### ✅ merge-daconv merge: equivalent, 7 layers checked\n\n`\(Fixtures.path("zero_dce.pth"))` → `\(path("z.pth"))`\n"
            ), markdown)
        XCTAssertEqual(rows(markdown).map { $0[0] }, (1...7).map { "`e_conv\($0)`" })
    }

    func testBatchMergeSummaryHasOneRowPerFile() throws {
        let out = path("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        let outcome = try InProcessTool.run(
            [Fixtures.path("tiny_sd.pth"), Fixtures.path("bad/empty.pth"), "--out-dir", out, "-q"],
            environment: ["GITHUB_STEP_SUMMARY": path("step.md")])
        XCTAssertNotEqual(outcome.status, 0, outcome.stderr)
        let markdown = try contents("step.md")
        XCTAssertTrue(markdown.hasPrefix("### ❌ merge-daconv merge: 1 of 2 files failed\n"), markdown)
        let table = rows(markdown)
        XCTAssertEqual(table.map { $0[0] }, ["`\(Fixtures.path("tiny_sd.pth"))`", "`\(Fixtures.path("bad/empty.pth"))`"])
        XCTAssertEqual(table.map { $0[4] }.first, "ok")
        XCTAssertTrue(table[1][4].hasPrefix("**FAILED**: "), markdown)
    }

    /// `--summary-md "$GITHUB_STEP_SUMMARY"` must not replace what earlier steps wrote there.
    func testSummaryMdOnTheStepSummaryIsAppendedOnce() throws {
        try "earlier step\n".write(toFile: path("step.md"), atomically: true, encoding: .utf8)
        let outcome = try InProcessTool.run(
            ["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.expected.pth"), "--summary-md", path("step.md")],
            environment: ["GITHUB_STEP_SUMMARY": path("step.md")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let markdown = try contents("step.md")
        XCTAssertTrue(markdown.hasPrefix("earlier step\n\n### ✅"), markdown)
        XCTAssertEqual(markdown.components(separatedBy: "### ").count, 2, markdown)
    }

    func testASummaryThatCannotBeWrittenExitsFourWithOneLine() throws {
        let missing = path("no-such-folder/step.md")
        let github = try InProcessTool.run(
            ["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.expected.pth")],
            environment: ["GITHUB_STEP_SUMMARY": missing])
        XCTAssertEqual(github.status, 4)
        XCTAssertEqual(github.stderr.split(separator: "\n").count, 1, github.stderr)
        XCTAssertTrue(
            github.stderr.hasPrefix("merge-daconv: cannot append the job summary to \(missing) (GITHUB_STEP_SUMMARY)"),
            github.stderr)
        let file = try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("t.pth"), "--summary-md", missing])
        XCTAssertEqual(file.status, 4)
        XCTAssertTrue(file.stderr.hasPrefix("merge-daconv: cannot write the report \(missing)"), file.stderr)
    }
}
