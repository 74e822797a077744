import TestSupport
import TorchCheckpoint
import XCTest

/// The merge's structure check finds its folded tensors without a full open: what it finds at a dotted path
/// must be what the full listing finds there first, or it must say it cannot tell (a path through objects).
final class WrittenTensorLookupTests: XCTestCase {
    private let stateDicts = [
        "cuda_location.pth", "dataparallel_sd.pth", "dtypes.pth", "tied_params.pth", "tiny_sd.pth", "train_checkpoint.pth",
        "views.pth", "zero_dce.pth",
    ]

    func testTheLookupFindsWhatTheFullListingFindsFirstAtEveryTensorsPath() throws {
        for name in stateDicts {
            let path = Fixtures.path(name)
            let listed = try CheckpointReader.open(path).namedTensors()
            XCTAssertFalse(listed.isEmpty, name)
            var first: [String: TorchTensor] = [:]
            for entry in listed where first[entry.name] == nil { first[entry.name] = entry.tensor }
            let found = try WrittenTensorLookup.tensors(named: Set(first.keys), inZipCheckpoint: path)
            XCTAssertEqual(found, first, name)
        }
    }

    func testAPathWithoutATensorIsAbsentAndAPathThroughAnObjectIsLeftToTheFullListing() throws {
        let stateDict = Fixtures.path("tiny_sd.pth")
        let some = try XCTUnwrap(CheckpointReader.open(stateDict).namedTensors().first).name
        XCTAssertEqual(
            try WrittenTensorLookup.tensors(named: [some + ".missing", "missing." + some], inZipCheckpoint: stateDict), [:])
        let wholeModel = Fixtures.path("whole_module.pth")
        let inObject = try XCTUnwrap(CheckpointReader.open(wholeModel).namedTensors().first).name
        XCTAssertNil(try WrittenTensorLookup.tensors(named: [inObject], inZipCheckpoint: wholeModel))
    }
}
