import Foundation
import TestSupport
import XCTest

/// Batch mode: many inputs into one folder, in parallel; one bad file does not stop the others.
final class BatchMergeCommandTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
        for folder in ["in", "out"] {
            try FileManager.default.createDirectory(at: scratch.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for name in ["tiny_sd.pth", "zero_dce.pth", "legacy_sd.pth", "whole_module.pth", "bad/short_storage.pth"] {
            let target = scratch.appendingPathComponent("in/" + (name.split(separator: "/").last.map(String.init) ?? name))
            try FileManager.default.copyItem(atPath: Fixtures.path(name), toPath: target.path)
        }
        _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent("in/notes.txt").path, contents: Data("x".utf8))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    func testAFolderIsMergedFileByFileAndABadFileDoesNotStopTheOthers() throws {
        let outcome = try InProcessTool.run([
            "merge", path("in"), "--out-dir", path("out"), "--jobs", "2", "--report", path("batch.json"),
        ])
        XCTAssertEqual(outcome.status, 3, "the only failure is an unreadable input: \(outcome.stderr)")
        let produced = try FileManager.default.contentsOfDirectory(atPath: path("out")).sorted()
        XCTAssertEqual(produced, ["legacy_sd.pth", "tiny_sd.pth", "whole_module.pth", "zero_dce.pth"])
        let okLines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }
        XCTAssertEqual(okLines.count, 4, outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("merged 4 of 5 files, 1 failed"), outcome.stdout)
        XCTAssertTrue(outcome.stderr.contains("short_storage.pth"), outcome.stderr)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("batch.json")))) as? [String: Any])
        XCTAssertEqual(report["passed"] as? Bool, false)
        let files = try XCTUnwrap(report["files"] as? [[String: Any]])
        XCTAssertEqual(files.count, 5)
        XCTAssertEqual(files.filter { $0["passed"] as? Bool == true }.count, 4)
        for name in produced {
            let verify = try InProcessTool.run(["verify", "-q", path("in/" + name), path("out/" + name)])
            XCTAssertEqual(verify.status, 0, "\(name): \(verify.stdout)")
        }
    }

    func testAllGoodFilesExitZeroAndQuietPrintsNothing() throws {
        let outcome = try InProcessTool.run([
            "merge", "-q", path("in/tiny_sd.pth"), path("in/zero_dce.pth"), "--out-dir", path("out"),
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(outcome.stdout, "")
        XCTAssertEqual(outcome.stderr, "", "no progress bar when stderr is not a terminal")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: path("out")).sorted(), ["tiny_sd.pth", "zero_dce.pth"])
    }

    func testExistingOutputsNeedForce() throws {
        _ = FileManager.default.createFile(atPath: path("out/tiny_sd.pth"), contents: Data("old".utf8))
        let outcome = try InProcessTool.run(["merge", path("in/tiny_sd.pth"), path("in/zero_dce.pth"), "--out-dir", path("out")])
        XCTAssertEqual(outcome.status, 4)
        XCTAssertEqual(FileManager.default.contents(atPath: path("out/tiny_sd.pth")), Data("old".utf8))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/zero_dce.pth")))
    }

    func testBatchUsageErrors() throws {
        XCTAssertEqual(try InProcessTool.run(["merge", path("in/tiny_sd.pth")]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["merge", path("in"), "--out-dir", path("missing")]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["merge", path("in"), "--out-dir", path("out"), "--jobs", "0"]).status, 2)
    }

    /// A file with a 4x4 (even) kernel in tiny_sd's stem: a DAConv that cannot be folded.
    private func unfoldable(_ name: String) throws -> String {
        var editing = try CheckpointEditing(Fixtures.path("tiny_sd.pth"))
        for branch in ["cac", "cdc"] {
            editing.setTensor("stem.\(branch).weight", values: [Double](repeating: 0.5, count: 8 * 3 * 16), shape: [8, 3, 4, 4])
        }
        try editing.write(to: path(name))
        return path(name)
    }

    /// Batch and single merges map errors to the same statuses (a dangerous global: 3, an unfoldable module:
    /// 5), and each error line names its file once.
    func testBatchAndSingleMergesShareOneMappingAndNameEachFileOnce() throws {
        let dangerous = path("newobj_subprocess_popen.pth")
        try FileManager.default.copyItem(atPath: Fixtures.path("hostile/newobj_subprocess_popen.pth"), toPath: dangerous)
        let even = try unfoldable("even_kernel.pth")
        for (input, status, says) in [(dangerous, Int32(3), "subprocess.Popen"), (even, Int32(5), "cannot be folded")] {
            let single = try InProcessTool.run(["merge", input, path("out/single.pth")])
            let batch = try InProcessTool.run(["merge", input, "--out-dir", path("out")])
            for run in [single, batch] {
                XCTAssertEqual(run.status, status, run.stderr)
                let lines = run.stderr.split(separator: "\n")
                XCTAssertEqual(lines.count, 1, run.stderr)
                XCTAssertTrue(run.stderr.contains(says), run.stderr)
                XCTAssertEqual(run.stderr.components(separatedBy: input).count - 1, 1, "the file is named once: \(run.stderr)")
            }
            XCTAssertEqual(batch.stderr, single.stderr, "the same line in both modes")
        }
        let mixed = try InProcessTool.run(["merge", dangerous, even, path("in/tiny_sd.pth"), "--out-dir", path("out")])
        XCTAssertEqual(mixed.status, 1, "two kinds of failure: \(mixed.stderr)")
        XCTAssertEqual(mixed.stderr.split(separator: "\n").count, 2, mixed.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("out")), ["tiny_sd.pth"])
    }
}
