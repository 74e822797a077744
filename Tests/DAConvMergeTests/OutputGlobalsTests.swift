import DAConvMerge
import TestSupport
import TorchCheckpoint
import XCTest

/// A merge never writes a dangerous global, and says when it keeps objects torch's weights-only loader refuses.
final class OutputGlobalsTests: XCTestCase {
    func testInertDangerousObjectIsNeverWritten() throws {
        let path = Fixtures.path("hostile/newobj_subprocess_popen.pth")
        XCTAssertThrowsError(try MergePlanner.plan(CheckpointReader.open(path))) { error in
            XCTAssertEqual(error as? MergeError, .dangerousGlobal(file: path, name: "subprocess.Popen", path: "x"))
        }
    }

    func testWholeModelClassesDoNotReachTheOutput() throws {
        let plan = try MergePlanner.plan(CheckpointReader.open(Fixtures.path("whole_module.pth")))
        XCTAssertFalse(plan.warnings.contains { $0.contains("torch.load(weights_only=True) refuses") }, "\(plan.warnings)")
    }
}
