import XCTest

@testable import CheckpointContainers

/// The table of files a terminating signal removes (the removal itself is tested end to end, with signals
/// sent to the tool, in OutputSafetyTests).
final class TerminationCleanupTests: XCTestCase {
    func testRegisteredPathsAreCountedUntilForgotten() {
        let before = TerminationCleanup.registeredCount
        TerminationCleanup.register("/tmp/.a.pth.merge-daconv-test-1.tmp")
        TerminationCleanup.register("/tmp/.b.pth.merge-daconv-test-2.tmp")
        TerminationCleanup.register("/tmp/.b.pth.merge-daconv-test-2.tmp")
        XCTAssertEqual(TerminationCleanup.registeredCount, before + 2, "a path registered twice takes one slot")
        TerminationCleanup.forget("/tmp/.a.pth.merge-daconv-test-1.tmp")
        TerminationCleanup.forget("/tmp/.a.pth.merge-daconv-test-1.tmp")
        TerminationCleanup.forget("/tmp/never-registered")
        XCTAssertEqual(TerminationCleanup.registeredCount, before + 1)
        TerminationCleanup.forget("/tmp/.b.pth.merge-daconv-test-2.tmp")
        XCTAssertEqual(TerminationCleanup.registeredCount, before)
    }

    /// Best effort: a path longer than the table's slots, or more files than it holds, is simply not
    /// registered, and freed slots are used again.
    func testTheTableRefusesWhatItCannotHoldAndReusesFreedSlots() {
        let before = TerminationCleanup.registeredCount
        TerminationCleanup.register("/" + String(repeating: "x", count: 5000))
        XCTAssertEqual(TerminationCleanup.registeredCount, before)
        let paths = (0..<70).map { "/tmp/.slot-\($0).tmp" }
        for path in paths { TerminationCleanup.register(path) }
        XCTAssertEqual(TerminationCleanup.registeredCount, 64, "the table holds 64 paths")
        for path in paths { TerminationCleanup.forget(path) }
        XCTAssertEqual(TerminationCleanup.registeredCount, before)
        for path in paths.prefix(3) { TerminationCleanup.register(path) }
        XCTAssertEqual(TerminationCleanup.registeredCount, before + 3)
        for path in paths.prefix(3) { TerminationCleanup.forget(path) }
    }
}
