import Foundation
import TestSupport
import XCTest

/// The hostile-input suite: every file listed in fixtures/hostile/cases.json (crafted by
/// fixtures/hostile/make_hostile.py, plus the older fixtures/bad files) is given to `inspect`,
/// `inspect --audit` and `merge`, run as programs. Each must end as cases.json says (refused with one
/// line naming the file and the culprit, or accepted), within 2 s and 256 MiB, leave no output file when
/// it refuses, and never modify its input.
///
/// The 2 s are CPU time of the (debug) tool: on a machine shared with other builds wall time measures the
/// neighbours as well. Wall time only guards against hangs, with a looser bound.
final class HostileInputSuiteTests: XCTestCase {
    static let secondsBudget = 2.0
    static let wallSecondsBound = 10.0
    static let memoryBudget = 256 << 20

    struct Expectation: Decodable {
        let status: Int32
        let says: [String]?
        let dangerous: [String]?
    }

    struct Case: Decodable {
        let problem: String
        let inspect: Expectation
        let merge: Expectation
        let audit: Expectation
    }

    static func cases() throws -> [(path: String, expected: Case)] {
        let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("hostile/cases.json"))
        let cases = try JSONDecoder().decode([String: Case].self, from: data)
        return cases.sorted { $0.key < $1.key }.map { (Fixtures.path($0.key), $0.value) }
    }

    func testTheSuiteCoversTheIssuesList() throws {
        let cases = try Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 45)
        let hostileFiles = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("hostile"))
            .filter { $0.hasSuffix(".pth") }
        for file in hostileFiles {
            XCTAssertTrue(cases.contains { $0.path.hasSuffix("/hostile/" + file) }, "\(file) has no case in cases.json")
        }
    }

    func testInspectRefusesOrDescribesEveryHostileFile() throws {
        for (path, expected) in try Self.cases() {
            let outcome = try measured(["inspect", path], path)
            check(outcome, expected.inspect, path: path, command: "inspect")
        }
    }

    func testAuditFlagsExactlyTheDangerousGlobals() throws {
        for (path, expected) in try Self.cases() {
            let text = try measured(["inspect", "--audit", path], path)
            check(text, expected.audit, path: path, command: "inspect --audit")
            guard expected.audit.status != 3 else { continue }
            let json = try measured(["inspect", "--audit", "--json", path], path)
            let object = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(path): \(json.stdout)")
            let globals = try XCTUnwrap(object["globals"] as? [[String: Any]], path)
            let dangerous = globals.filter { $0["verdict"] as? String == "dangerous" }.compactMap { $0["name"] as? String }
            XCTAssertEqual(Set(dangerous), Set(expected.audit.dangerous ?? []), path)
            XCTAssertEqual(object["dangerous"] as? Int, dangerous.count, path)
        }
    }

    func testMergeRefusesWithoutLeavingAnyFileOrAcceptsWhatIsSafe() throws {
        for (path, expected) in try Self.cases() {
            let folder = try Fixtures.scratchDirectory("merge-daconv-hostile")
            defer { try? FileManager.default.removeItem(at: folder) }
            let output = folder.appendingPathComponent("out.pth").path
            let before = try SHA256.hex(Array(Data(contentsOf: URL(fileURLWithPath: path))))
            let outcome = try measured(["merge", path, output], path)
            check(outcome, expected.merge, path: path, command: "merge")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            if expected.merge.status == 0 {
                XCTAssertEqual(left, ["out.pth"], "\(path): only the output is written")
            } else {
                XCTAssertEqual(left, [], "\(path): a refused merge leaves no file, not even a temporary one")
            }
            let after = try SHA256.hex(Array(Data(contentsOf: URL(fileURLWithPath: path))))
            XCTAssertEqual(before, after, "\(path): the input was modified")
        }
    }

    /// One node reached 2^40 times stays one node: the printed description is small, and so is the merged
    /// file, which keeps the sharing through its memo.
    func testSharedNodeIsNeverExpanded() throws {
        let path = Fixtures.path("hostile/memo_shared_2_40.pth")
        let text = try measured(["inspect", path], path)
        XCTAssertLessThan(text.stdout.utf8.count, 16 << 10, text.stdout)
        let json = try measured(["inspect", "--json", path], path)
        XCTAssertLessThan(json.stdout.utf8.count, 64 << 10)
        let folder = try Fixtures.scratchDirectory("merge-daconv-hostile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.pth").path
        XCTAssertEqual(try measured(["merge", path, output], path).status, 0)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: output)[.size] as? Int)
        XCTAssertLessThan(size, 16 << 10, "the merged file keeps the 40 shared levels shared")
        XCTAssertEqual(try measured(["inspect", output], output).status, 0)
    }

    // MARK: Helpers

    private func measured(_ arguments: [String], _ path: String) throws -> MeasuredToolRun.Outcome {
        let outcome = try MeasuredToolRun.run(arguments, killAfter: 20)
        let command = arguments.dropLast(arguments.first == "merge" ? 2 : 1).joined(separator: " ")
        XCTAssertFalse(outcome.timedOut, "\(command) \(path) hung")
        XCTAssertLessThan(outcome.cpuSeconds, Self.secondsBudget, "\(command) \(path) took \(outcome.cpuSeconds) s of CPU")
        XCTAssertLessThan(outcome.seconds, Self.wallSecondsBound, "\(command) \(path) took \(outcome.seconds) s")
        XCTAssertLessThan(outcome.peakBytes, Self.memoryBudget, "\(command) \(path) used \(outcome.peakBytes >> 20) MiB")
        XCTAssertLessThan(outcome.status, 128, "\(command) \(path) died of signal \(outcome.status - 128): \(outcome.stderr)")
        return outcome
    }

    private func check(_ outcome: MeasuredToolRun.Outcome, _ expected: Expectation, path: String, command: String) {
        let label = "\(command) \(path)"
        XCTAssertEqual(outcome.status, expected.status, "\(label): \(outcome.stderr)")
        let refusedOutright = expected.status == 3 && !outcome.stderr.isEmpty
        if refusedOutright {
            XCTAssertTrue(outcome.stderr.hasPrefix("merge-daconv: \(path): "), "\(label): \(outcome.stderr)")
            XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, "\(label): one line: \(outcome.stderr)")
        }
        let said = refusedOutright ? outcome.stderr : outcome.stdout + outcome.stderr
        for word in expected.says ?? [] { XCTAssertTrue(said.contains(word), "\(label) does not say '\(word)':\n\(said)") }
        for name in expected.dangerous ?? [] { XCTAssertTrue(outcome.stdout.contains(name), "\(label) does not name \(name)") }
    }
}
