import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// `verify` on what `merge` wrote: our merges pass, another epoch's merge fails and is named.
final class MergeThenVerifyTests: XCTestCase {
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

    func testOurMergesAreEquivalentIncludingDroppedOptimizer() throws {
        let merged = scratchPath("train.pth")
        _ = try MergeRun.run(MergeRequest(input: Fixtures.path("train_checkpoint.pth"), output: merged))
        let report = try verify(Fixtures.path("train_checkpoint.pth"), merged)
        XCTAssertTrue(report.passed, report.text())
        XCTAssertEqual(report.dropped, ["optimizer"])
    }

    /// Another epoch: the weights moved a little and the epoch counter changed.
    func testTheWrongEpochsMergeFails() throws {
        var later = try CheckpointEditing(Fixtures.path("train_checkpoint.pth"))
        for key in ["stem.cac.weight", "body.0.cdc.weight", "down.cac.weight"] {
            try later.nudge(key, in: "model", element: 0, by: 0.01)
        }
        later.set("epoch", to: .int(13))
        try later.write(to: scratchPath("epoch13.pth"))
        _ = try MergeRun.run(MergeRequest(input: scratchPath("epoch13.pth"), output: scratchPath("epoch13-merged.pth")))
        let report = try verify(Fixtures.path("train_checkpoint.pth"), scratchPath("epoch13-merged.pth"))
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.layers.filter { !$0.passed }.map(\.module), ["model.stem", "model.body.0", "model.down"])
        XCTAssertEqual(report.passThrough?.changed, ["epoch: 12 became 13"])
    }

}
