import CheckpointInspection
import DAConvMerge
import TestSupport
import TorchCheckpoint
import XCTest

/// The DAConv modules an inspection finds by key pattern must be exactly those torch's side built, with their
/// shapes, under their state-dict names.
final class DetectionTests: XCTestCase {
    func testDetectedModulesMatchTorchFacts() throws {
        let fixtures = [
            "tiny_sd", "tiny_sd_f16", "tiny_sd_bf16", "tiny_sd_f64", "train_checkpoint", "dataparallel_sd", "legacy_sd",
            "legacy_zero_dce", "whole_module", "legacy_whole_module", "cuda_location", "protocol4", "zero_dce", "no_daconv",
        ]
        for name in fixtures {
            let facts = try Fixtures.facts(name)
            let inspection = try CheckpointInspection.inspect(Fixtures.path(facts.file))
            let found = inspection.daconv.modules
            XCTAssertEqual(found.map(\.module), facts.daconv.map(\.module), name)
            XCTAssertTrue(inspection.daconv.unfoldable.isEmpty, "\(name): \(inspection.daconv.unfoldable)")
            for (ours, theirs) in zip(found, facts.daconv) {
                XCTAssertEqual(ours.outChannels, theirs.out_channels, "\(name) \(theirs.module)")
                XCTAssertEqual(ours.inChannelsPerGroup, theirs.in_per_group, "\(name) \(theirs.module)")
                XCTAssertEqual([ours.kernel.height, ours.kernel.width], theirs.kernel, "\(name) \(theirs.module)")
                XCTAssertEqual(ours.hasBias, theirs.has_bias, "\(name) \(theirs.module)")
                XCTAssertEqual(ours.gateShape, theirs.theta_shape, "\(name) \(theirs.module)")
                XCTAssertEqual(ours.dtype.rawValue, theirs.dtype, "\(name) \(theirs.module)")
            }
        }
    }

    func testStateDictNamesOfWholeModelsAreTorchs() throws {
        let facts = try Fixtures.facts("whole_module")
        let inspection = try CheckpointInspection.inspect(Fixtures.path(facts.file))
        XCTAssertEqual(inspection.tensors.map(\.stateDictName), facts.tensors.map(\.state_dict_name))
        XCTAssertEqual(inspection.pickledModels.count, 1)
    }
}
