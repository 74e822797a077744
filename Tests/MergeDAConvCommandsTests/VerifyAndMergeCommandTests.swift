import Foundation
import TestSupport
import XCTest

/// `merge` and `verify` as commands: exit statuses, report files and what they print.
final class VerifyAndMergeCommandTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    func testMergeIsTheDefaultSubcommandAndWritesItsReport() throws {
        let outcome = try InProcessTool.run([Fixtures.path("zero_dce.pth"), path("z.pth"), "--report", path("z.json")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("equivalent: 7 layers checked"), outcome.stdout)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("z.json")))) as? [String: Any])
        XCTAssertEqual(report["passed"] as? Bool, true)
        let layers = try XCTUnwrap(report["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.compactMap { $0["module"] as? String }, (1...7).map { "e_conv\($0)" })
        for layer in layers {
            let error = try XCTUnwrap(layer["max_abs_error"] as? Double)
            let tolerance = try XCTUnwrap(layer["tolerance"] as? Double)
            XCTAssertLessThanOrEqual(error, tolerance)
        }
        let explicit = try InProcessTool.run(["merge", Fixtures.path("zero_dce.pth"), path("z2.pth"), "-q"])
        XCTAssertEqual(explicit.status, 0, explicit.stderr)
        XCTAssertEqual(explicit.stdout, "")
    }

    func testMergeRefusesAnExistingOutputWithoutForce() throws {
        _ = FileManager.default.createFile(atPath: path("taken.pth"), contents: Data("mine".utf8))
        let outcome = try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("taken.pth")])
        XCTAssertEqual(outcome.status, 4)
        XCTAssertTrue(outcome.stderr.contains("already exists"), outcome.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: path("taken.pth")), Data("mine".utf8))
        XCTAssertEqual(try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("taken.pth"), "--force"]).status, 0)
    }

    func testMergeOfBadInputExitsThreeWithoutOutput() throws {
        let outcome = try InProcessTool.run([Fixtures.path("bad/reduce_os_system.pth"), path("x.pth")])
        XCTAssertEqual(outcome.status, 3)
        XCTAssertTrue(outcome.stderr.contains("os.system"), outcome.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    /// An output that cannot be created is a write failure (exit 4) of the path the user gave, not of the
    /// hidden temporary file, in either format; nothing is left behind.
    func testAnOutputThatCannotBeCreatedExitsFourNamingTheOutput() throws {
        for name in ["x.pth", "x.safetensors"] {
            let output = path("no such folder/\(name)")
            let outcome = try InProcessTool.run([Fixtures.path("tiny_sd.pth"), output])
            XCTAssertEqual(outcome.status, 4, outcome.stderr)
            XCTAssertEqual(outcome.stderr, "merge-daconv: \(output): cannot write: open failed: No such file or directory (errno 2)\n")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testBadRulesAreUsageErrors() throws {
        XCTAssertEqual(try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("r.pth"), "--branch", "cac:sum:t"]).status, 2)
        XCTAssertEqual(
            try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("r.pth"), "--rules", path("none.txt")]).status, 2)
    }

    func testVerifyExitStatusesAndReports() throws {
        let good = try InProcessTool.run([
            "verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.expected.pth"),
            "--junit", path("ok.xml"), "--report", path("ok.json"),
        ])
        XCTAssertEqual(good.status, 0, good.stderr + good.stdout)
        XCTAssertEqual(try JUnitDocument(String(contentsOfFile: path("ok.xml"), encoding: .utf8)).failures, [])
        // The float64 twin computes the same, but its pass-through tensors changed dtype: not a faithful merge.
        let twin = try InProcessTool.run(["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd_f64.expected.pth")])
        XCTAssertEqual(twin.status, 1)
        XCTAssertTrue(twin.stdout.contains("pass-through: changed: body.1.weight: dtype float32 became float64"), twin.stdout)
        XCTAssertTrue(twin.stdout.contains("NOT equivalent: 0 of 4 layers failed, pass-through differs"), twin.stdout)
        let wrong = try InProcessTool.run(["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("zero_dce.expected.pth")])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stdout.contains("NOT equivalent"), wrong.stdout)
        XCTAssertEqual(try InProcessTool.run(["verify", Fixtures.path("tiny_sd.pth")]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["verify", Fixtures.path("tiny_sd.pth"), "x", "--probe-batch", "0"]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["verify", Fixtures.path("bad/empty.pth"), Fixtures.path("tiny_sd.pth")]).status, 3)
    }
}
