import TestSupport
import XCTest

@testable import MergeDAConvCommands

/// Only the executable leaves memory to its exit: commands run in-process free what they made.
final class ProcessExitTests: XCTestCase {
    private final class Probe {}

    func testInProcessCommandsKeepNothing() throws {
        XCTAssertFalse(ProcessExit.reclaimsMemory, "runAndExit alone turns it on")
        weak var released: Probe?
        do {
            let probe = Probe()
            released = probe
            ProcessExit.keepUntilExit(probe)
        }
        XCTAssertNil(released)
        XCTAssertEqual(try InProcessTool.run(["inspect", Fixtures.path("tiny_sd.pth")]).status, 0)
        XCTAssertFalse(ProcessExit.reclaimsMemory)
    }
}
