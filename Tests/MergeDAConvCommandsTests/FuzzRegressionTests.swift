import Foundation
import TestSupport
import XCTest

/// Every input the fuzzers reported (fixtures/fuzz-regressions) goes through the tool's three readers
/// again: each ends with a documented exit status, never a signal, within the hostile-input budgets.
final class FuzzRegressionTests: XCTestCase {
    func testEveryReportedInputEndsCleanly() throws {
        let folder = Fixtures.path("fuzz-regressions")
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".pth") || $0.hasSuffix(".pkl") }.sorted()
        XCTAssertFalse(inputs.isEmpty, "the regression folder lost its inputs")
        let scratch = try Fixtures.scratchDirectory("merge-daconv-fuzz-regressions")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for input in inputs {
            let path = folder + "/" + input
            let output = scratch.appendingPathComponent("out.pth").path
            for arguments in [["inspect", path], ["inspect", "--audit", "--json", path], ["merge", path, output, "--force"]] {
                let outcome = try MeasuredToolRun.run(arguments, killAfter: 20)
                let label = "\(arguments.dropLast().joined(separator: " ")) \(input)"
                XCTAssertTrue([0, 1, 3, 5].contains(outcome.status), "\(label): exit \(outcome.status) \(outcome.stderr)")
                XCTAssertLessThan(outcome.cpuSeconds, HostileInputSuiteTests.secondsBudget, label)
                XCTAssertLessThan(outcome.seconds, HostileInputSuiteTests.wallSecondsBound, label)
                XCTAssertLessThan(outcome.peakBytes, HostileInputSuiteTests.memoryBudget, label)
                if !outcome.stderr.isEmpty {
                    XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, "\(label): one line: \(outcome.stderr)")
                }
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
            XCTAssertTrue(left.allSatisfy { $0 == "out.pth" }, "\(input): \(left)")
            try? FileManager.default.removeItem(atPath: output)
        }
    }
}
