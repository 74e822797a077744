import TestSupport
import TorchCheckpoint
import XCTest

/// A float32 weight read in runs (as the merge reads a module a block of output channels at a time): the
/// same values as read whole, and its record's CRC-32 still checked, failing at the run that ends it.
final class Float32TensorRunsTests: XCTestCase {
    func testRunsGiveTheValuesReadWhole() throws {
        let checkpoint = try CheckpointReader.open(Fixtures.path("zero_dce.pth"))
        var tried = 0
        for (name, _, tensor) in try checkpoint.namedTensors() where tensor.dtype == .float32 {
            guard var runs = checkpoint.float32Runs(of: tensor) else { continue }
            tried += 1
            let whole = try checkpoint.float32Values(of: tensor)
            var read: [Float] = []
            var buffer = [Float](repeating: 0, count: 5)
            while runs.position < runs.count {
                let count = min(5, runs.count - runs.position)
                try runs.read(count, into: &buffer)
                read += buffer[0..<count]
            }
            XCTAssertEqual(read.map(\.bitPattern), whole.map(\.bitPattern), name)
        }
        XCTAssertGreaterThan(tried, 10, "zero_dce.pth stores its float32 tensors as whole records")
    }

    func testTheRunThatEndsADamagedRecordFailsAndNamesIt() throws {
        let checkpoint = try CheckpointReader.open(Fixtures.path("bad/crc_mismatch.pth"))
        let damaged = try XCTUnwrap(
            try checkpoint.namedTensors().first { checkpoint.storage(of: $0.tensor).key == "2" }?.tensor)
        var runs = try XCTUnwrap(checkpoint.float32Runs(of: damaged))
        var buffer = [Float](repeating: 0, count: runs.count)
        let first = runs.count / 2
        XCTAssertNoThrow(try runs.read(first, into: &buffer), "the record is only known bad once it is read whole")
        XCTAssertThrowsError(try runs.read(runs.count - first, into: &buffer)) { error in
            XCTAssertTrue("\(error)".contains("tiny_sd/data/2"), "\(error)")
            XCTAssertTrue("\(error)".hasPrefix(Fixtures.path("bad/crc_mismatch.pth")), "\(error)")
        }
    }

    func testNoRunsWithoutAWholeStoredRecord() throws {
        let legacy = try CheckpointReader.open(Fixtures.path("legacy_sd.pth"))
        for (name, _, tensor) in try legacy.namedTensors() where tensor.dtype == .float32 {
            XCTAssertNil(legacy.float32Runs(of: tensor), "\(name): a legacy file records no CRC")
        }
        let views = try CheckpointReader.open(Fixtures.path("views.pth"))
        for (name, _, tensor) in try views.namedTensors() where tensor.dtype == .float32 {
            XCTAssertEqual(
                views.float32Runs(of: tensor) != nil, views.recordCheckedOnRead(tensor) != nil,
                "\(name): runs exactly when the whole record is the tensor")
        }
    }
}
