import DAConvMerge
import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

/// A merge's draft may take the input's tree instead of copying it: the plan is the same either way, and only
/// the handing-over checkpoint loses its tree.
final class GraphHandOverTests: XCTestCase {
    private let fixtures = [
        "tiny_sd.pth", "zero_dce.pth", "train_checkpoint.pth", "dataparallel_sd.pth", "legacy_sd.pth", "whole_module.pth",
        "layouts/lightning.ckpt", "layouts/basicsr_net_g.pth", "layouts/mmengine.pth", "layouts/timm.pth.tar",
    ]

    func testTakingTheTreePlansWhatCopyingPlans() throws {
        for name in fixtures {
            let copied = try CheckpointReader.open(Fixtures.path(name))
            let handed = try CheckpointReader.open(Fixtures.path(name))
            let treeBefore = try Pickler.pickle(copied.graph, root: copied.root)
            let byCopy = try MergePlanner.plan(copied)
            let byHandOver = try MergePlanner.plan(handingOverGraphOf: handed, options: MergeOptions())
            XCTAssertEqual(
                try Pickler.pickle(byHandOver.draft.graph, root: byHandOver.draft.root),
                try Pickler.pickle(byCopy.draft.graph, root: byCopy.draft.root), name)
            XCTAssertEqual(byHandOver.folds.map(\.weightName), byCopy.folds.map(\.weightName), name)
            XCTAssertEqual(byHandOver.warnings, byCopy.warnings, name)
            XCTAssertEqual(byHandOver.converted.count, byCopy.converted.count, name)
            XCTAssertEqual(
                try Pickler.pickle(copied.graph, root: copied.root), treeBefore,
                "\(name): a copying plan left the input's tree alone")
            XCTAssertEqual(handed.graph.nodeCount, 0, "\(name): the tree went to the draft")
            XCTAssertGreaterThan(copied.graph.nodeCount, 0, name)
        }
    }
}
