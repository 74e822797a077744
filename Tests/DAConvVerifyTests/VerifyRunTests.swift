import DAConvVerify
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// `verify` passes every equivalent pair and fails, naming the module, on tampered ones.
final class VerifyRunTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func verify(_ original: String, _ merged: String) throws -> EquivalenceReport {
        try VerifyRun.run(VerifyRequest(original: original, merged: merged))
    }

    private func scratchPath(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    func testTorchsOwnMergesAreEquivalent() throws {
        for name in Fixtures.withTorchMerge {
            let report = try verify(Fixtures.path("\(name).pth"), Fixtures.path("\(name).expected.pth"))
            XCTAssertTrue(report.passed, "\(name): \(report.text())")
            XCTAssertEqual(report.layers.count, try Fixtures.facts(name).daconv.count, name)
        }
    }

    func testASingleWeightNudgedByATousandthOfItsScaleFails() throws {
        var edit = try CheckpointEditing(Fixtures.path("tiny_sd.expected.pth"))
        let weight = try edit.checkpoint.namedTensors().first { $0.name == "down.weight" }!
        let scale = try edit.checkpoint.doubleValues(of: weight.tensor).map(abs).max()!
        try edit.nudge("down.weight", element: 40, by: 1e-3 * scale)
        try edit.write(to: scratchPath("nudged.pth"))
        let report = try verify(Fixtures.path("tiny_sd.pth"), scratchPath("nudged.pth"))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.layers.filter { !$0.passed }.map(\.module), ["down"])
        XCTAssertTrue(report.passThrough?.passed ?? false)
    }

    func testAMissingLayerFails() throws {
        var edit = try CheckpointEditing(Fixtures.path("tiny_sd.expected.pth"))
        edit.remove("body.3.weight")
        edit.remove("body.3.bias")
        try edit.write(to: scratchPath("missing.pth"))
        let report = try verify(Fixtures.path("tiny_sd.pth"), scratchPath("missing.pth"))
        let failed = report.layers.filter { !$0.passed }
        XCTAssertEqual(failed.map(\.module), ["body.3"])
        XCTAssertTrue(failed.first?.problem?.contains("body.3.weight is missing") ?? false)
    }

    func testADroppedBiasFails() throws {
        var edit = try CheckpointEditing(Fixtures.path("tiny_sd.expected.pth"))
        edit.remove("stem.bias")
        try edit.write(to: scratchPath("nobias.pth"))
        let report = try verify(Fixtures.path("tiny_sd.pth"), scratchPath("nobias.pth"))
        let failed = report.layers.filter { !$0.passed }
        XCTAssertEqual(failed.map(\.module), ["stem"])
        XCTAssertTrue(failed.first?.problem?.contains("no bias") ?? false, "\(failed)")
    }

    func testChangedAndExtraPassThroughTensorsAreNamed() throws {
        var edit = try CheckpointEditing(Fixtures.path("tiny_sd.expected.pth"))
        try edit.nudge("body.1.running_mean", element: 2, by: 1)
        try edit.write(to: scratchPath("bn.pth"))
        let report = try verify(Fixtures.path("tiny_sd.pth"), scratchPath("bn.pth"))
        XCTAssertTrue(report.layers.allSatisfy(\.passed))
        XCTAssertEqual(report.passThrough?.changed, ["body.1.running_mean: values differ (first at element 2)"])
        let unmerged = try verify(Fixtures.path("tiny_sd.pth"), Fixtures.path("tiny_sd.pth"))
        XCTAssertFalse(unmerged.passed, "an unmerged copy is not a merge")
        XCTAssertTrue(unmerged.passThrough?.extra.contains("stem.cac.weight") ?? false)
    }

    func testJUnitIsWellFormedAndCountsFailures() throws {
        var edit = try CheckpointEditing(Fixtures.path("tiny_sd.expected.pth"))
        try edit.nudge("stem.weight", element: 0, by: 0.5)
        try edit.write(to: scratchPath("bad.pth"))
        let xml = try verify(Fixtures.path("tiny_sd.pth"), scratchPath("bad.pth")).junit()
        let parsed = try JUnitDocument(xml)
        XCTAssertEqual(parsed.testCases, ["stem", "body.0", "body.3", "down", "pass-through"])
        XCTAssertEqual(parsed.failures, ["stem"])
        XCTAssertEqual(parsed.suiteAttributes["tests"], "5")
        XCTAssertEqual(parsed.suiteAttributes["failures"], "1")
    }
}

/// Each layer's margin (error / tolerance) is in both reports, so a near miss shows before it fails.
final class ReportMarginTests: XCTestCase {
    func testTheMarginIsInTheJSONAndTheTable() throws {
        let report = try VerifyRun.run(
            VerifyRequest(original: Fixtures.path("tiny_sd.pth"), merged: Fixtures.path("tiny_sd.expected.pth")))
        let json = report.json().serialized()
        for layer in report.layers {
            XCTAssertEqual(layer.margin, layer.maxAbsError / layer.tolerance)
            XCTAssertLessThan(layer.margin, 1)
            XCTAssertTrue(json.contains("\"margin\": \(JSONValue.double(layer.margin).serialized())"), json)
        }
        let lines = report.text().split(separator: "\n")
        XCTAssertTrue(
            lines[0].contains("tolerance   margin  result") || lines[0].contains("tolerance  margin  result"), "\(lines[0])")
        for (line, layer) in zip(lines.dropFirst(), report.layers) {
            XCTAssertTrue(line.hasSuffix(" \(EquivalenceReport.marginText(layer.margin))  ok"), "\(line)")
        }
    }

    func testMarginTextKeepsThreeSignificantDigits() {
        XCTAssertEqual(EquivalenceReport.marginText(0.0412345), "0.0412")
        XCTAssertEqual(EquivalenceReport.marginText(0.5), "0.500")
        XCTAssertEqual(EquivalenceReport.marginText(0.99996), "1.00")
        XCTAssertEqual(EquivalenceReport.marginText(12.34), "12.3")
        XCTAssertEqual(EquivalenceReport.marginText(288.4), "288")
        XCTAssertEqual(EquivalenceReport.marginText(0.0001), "<0.001")
        XCTAssertEqual(EquivalenceReport.marginText(0), "0")
        XCTAssertEqual(EquivalenceReport.marginText(.infinity), "inf")
    }
}
