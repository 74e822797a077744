import Foundation
import TestSupport
import XCTest

/// `merge-daconv inspect` run as a program: what it prints, its errors and exit statuses. What an inspection
/// reports is tested in-process, in CheckpointInspectionTests.
final class InspectCommandTests: XCTestCase {
    func testJSONAndTextPrintTheInspection() throws {
        let path = Fixtures.path("tiny_sd.pth")
        let json = try ToolRunner.run(["inspect", "--json", path])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((document["daconv"] as? [[String: Any]])?.count, 4)
        let text = try ToolRunner.run(["inspect", path])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("DAConv modules: 4"), text.stdout)
    }

    func testAnAuditOfDataObjectsExitsZeroAndOfADangerousGlobalOne() throws {
        XCTAssertEqual(try ToolRunner.run(["inspect", "--audit", Fixtures.path("data_objects/numpy2_p5.pth")]).status, 0)
        let dangerous = try ToolRunner.run(["inspect", "--audit", Fixtures.path("hostile/newobj_subprocess_popen.pth")])
        XCTAssertEqual(dangerous.status, 1, dangerous.stdout)
    }

    func testBadInputExitsThreeWithOneLineNamingTheFile() throws {
        for file in ["empty.pth", "truncated_zip.pth", "reduce_os_system.pth", "short_storage.pth", "random_bytes.pth"] {
            let path = Fixtures.path("bad/\(file)")
            let outcome = try ToolRunner.run(["inspect", path])
            XCTAssertEqual(outcome.status, 3, file)
            XCTAssertEqual(outcome.stdout, "", file)
            XCTAssertTrue(outcome.stderr.hasPrefix("merge-daconv: \(path): "), outcome.stderr)
            XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        }
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try ToolRunner.run(["inspect"]).status, 2)
        XCTAssertEqual(try ToolRunner.run(["inspect", "--no-such-option", "x"]).status, 2)
        XCTAssertEqual(try ToolRunner.run(["--help"]).status, 0)
    }
}
