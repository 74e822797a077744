import Foundation
import TestSupport
import XCTest

/// `merge-daconv inspect` run as a program: what it prints, its errors and exit statuses. What an inspection
/// reports is tested in-process, in CheckpointInspectionTests.
final class InspectCommandTests: XCTestCase {
    func testJSONAndTextPrintTheInspection() throws {
        let path = Fixtures.path("tiny_sd.pth")
        let json = try InProcessTool.run(["inspect", "--json", path])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((document["daconv"] as? [[String: Any]])?.count, 4)
        let text = try InProcessTool.run(["inspect", path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("DAConv modules: 4"), text.stdout)
    }

    func testAnAuditOfDataObjectsExitsZeroAndOfADangerousGlobalOne() throws {
        XCTAssertEqual(try InProcessTool.run(["inspect", "--audit", Fixtures.path("data_objects/numpy2_p5.pth")]).status, 0)
        let dangerous = try InProcessTool.run(["inspect", "--audit", Fixtures.path("hostile/newobj_subprocess_popen.pth")])
        XCTAssertEqual(dangerous.status, 1, dangerous.stdout)
    }

    func testBadInputExitsThreeWithOneLineNamingTheFile() throws {
        for file in ["empty.pth", "truncated_zip.pth", "reduce_os_system.pth", "short_storage.pth", "random_bytes.pth"] {
            let path = Fixtures.path("bad/\(file)")
            let outcome = try InProcessTool.run(["inspect", path])
            XCTAssertEqual(outcome.status, 3, file)
            XCTAssertEqual(outcome.stdout, "", file)
            XCTAssertTrue(outcome.stderr.hasPrefix("merge-daconv: \(path): "), outcome.stderr)
            XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        }
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try InProcessTool.run(["inspect"]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["inspect", "--no-such-option", "x"]).status, 2)
        XCTAssertEqual(try InProcessTool.run(["--help"]).status, 0)
    }
}

/// The executable is main's few lines around the command library: it exits with the status, and prints
/// the text, that the same command line gives in-process (which the other command tests use).
final class ExecutableTests: XCTestCase {
    func testTheExecutableBehavesAsTheCommandInProcess() throws {
        let lines = [
            ["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.expected.pth")],
            ["verify", Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.pth")],
            ["inspect", Fixtures.path("bad/empty.pth")], ["--bogus", "x"], ["--version"], ["help", "verify"],
        ]
        for arguments in lines {
            let program = try ToolRunner.run(arguments)
            let inProcess = try InProcessTool.run(arguments)
            XCTAssertEqual(program.status, inProcess.status, "\(arguments)")
            XCTAssertEqual(program.stdout, inProcess.stdout, "\(arguments)")
            XCTAssertEqual(program.stderr, inProcess.stderr, "\(arguments)")
        }
        XCTAssertEqual(try ToolRunner.run(lines[1]).status, 1)
    }
}
