import TestSupport
import XCTest

@testable import DAConvVerify
@testable import MergeDAConv

/// The merge reads, folds and probes float32 modules a block of output channels at a time when their weights
/// are whole stored records; the folded bytes and every figure of the check must be those of reading the
/// branches whole, on every fixture geometry (kernels 3, 5 and 3x5, groups, dilation, stride, biases).
final class Float32ModuleFoldTests: XCTestCase {
    func testBlocksGiveWhatTheWholeBranchesGive() throws {
        var compared = 0
        for name in ["tiny_sd", "zero_dce", "whole_module", "train_checkpoint", "dataparallel_sd"] {
            let input = try CheckpointReader.open(Fixtures.path("\(name).pth"))
            var probe = ProbeOptions()
            probe.origin = .roundedOnce
            probe.threads = 1
            for fold in try MergePlanner.plan(input).folds where fold.module.dtype == .float32 {
                let unit = Float32ModuleFold(fold: fold, input: input, probe: probe, name: fold.module.module)
                let (branches, mergedBias) = try unit.gatesAndBiases()
                let blocks = try XCTUnwrap(
                    try unit.byRowBlocks(branches, mergedBias: mergedBias), "\(name) \(fold.module.module)")
                let whole = try unit.whole(branches, mergedBias: mergedBias)
                XCTAssertEqual(blocks.weight.map(\.bitPattern), whole.weight.map(\.bitPattern), "\(name) \(fold.module.module)")
                XCTAssertEqual(blocks.bias, whole.bias)
                XCTAssertEqual(blocks.check, whole.check, "\(name) \(fold.module.module)")
                XCTAssertTrue(blocks.check.passed)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 10)
    }

    /// A probe with several threads of its own (a merge with one worker) convolves the whole weights.
    func testAProbeOnSeveralThreadsGoesByWholeWeights() throws {
        let input = try CheckpointReader.open(Fixtures.path("tiny_sd.pth"))
        var probe = ProbeOptions()
        probe.origin = .roundedOnce
        probe.threads = 2
        let fold = try XCTUnwrap(try MergePlanner.plan(input).folds.first)
        let unit = Float32ModuleFold(fold: fold, input: input, probe: probe, name: fold.module.module)
        let (branches, mergedBias) = try unit.gatesAndBiases()
        XCTAssertNil(try unit.byRowBlocks(branches, mergedBias: mergedBias))
    }
}
