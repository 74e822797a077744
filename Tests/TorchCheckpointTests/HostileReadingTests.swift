import CheckpointContainers
import TestSupport
import TorchCheckpoint
import XCTest

/// The reader's defences added for the hostile-input suite, each by the exact error it throws.
final class HostileReadingTests: XCTestCase {
    /// A view with zero strides repeats 4 stored bytes as 600 MB: reading it is refused, not attempted.
    func testExpandedViewIsNotReadBeyondTheLimit() throws {
        let path = Fixtures.path("hostile/broadcast_daconv_weight.pth")
        let checkpoint = try CheckpointReader.open(path)
        let named = try XCTUnwrap(try checkpoint.namedTensors().first { $0.name == "m.cac.weight" })
        XCTAssertThrowsError(try checkpoint.contiguousBytes(of: named.tensor)) { error in
            XCTAssertEqual(
                error as? CheckpointError,
                CheckpointError(
                    path: path,
                    .limitExceeded(
                        what: "tensor m.cac.weight (603979776 bytes, a view repeating the 4 bytes of storage 0) in bytes",
                        limit: CheckpointLimits.standard.maxExpandedTensorBytes)))
        }
        // A small expanded view (the 1-element gate) is still read.
        let gate = try XCTUnwrap(try checkpoint.namedTensors().first { $0.name == "m.cac_theta" })
        XCTAssertEqual(try checkpoint.contiguousBytes(of: gate.tensor).count, 4)
    }

    /// A deflated storage record that claims more bytes than deflate can produce from its stream.
    func testStorageRecordBeyondDeflatesReachIsRefusedOnOpening() {
        let path = Fixtures.path("hostile/storage_claims_3gib.pth")
        XCTAssertThrowsError(try CheckpointReader.open(path)) { error in
            guard let error = error as? CheckpointError, case .malformed(let what, let detail) = error.reason else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(what, "record storage_claims_3gib/data/0")
            XCTAssertTrue(detail.hasPrefix("it declares 3221225472 bytes from "), detail)
            XCTAssertTrue(detail.hasSuffix("more than deflate can produce"), detail)
        }
    }

    /// A legacy storage whose byte count overflows 64 bits (no tensor views it, so no tensor check sees it).
    func testLegacyStorageByteCountOverflowIsAnErrorNotATrap() {
        let path = Fixtures.path("hostile/legacy_storage_size_overflow.pth")
        XCTAssertThrowsError(try CheckpointReader.open(path)) { error in
            XCTAssertEqual(
                error as? CheckpointError,
                CheckpointError(
                    path: path, .invalidGeometry(tensor: "storage k", detail: "byte count overflows")))
        }
    }

    /// torch does not check storage CRCs; merge and verify do, through this call.
    func testStorageChecksumsAreVerified() throws {
        let path = Fixtures.path("bad/crc_mismatch.pth")
        let checkpoint = try CheckpointReader.open(path)
        XCTAssertThrowsError(try checkpoint.verifyStorageChecksums()) { error in
            guard let error = error as? CheckpointError,
                case .container(.crcMismatch(_, let record, let expected, _)) = error.reason
            else { return XCTFail("\(error)") }
            XCTAssertEqual(record, "tiny_sd/data/2")
            XCTAssertEqual(expected, 0xE78E_936A)
        }
        XCTAssertNoThrow(try CheckpointReader.open(Fixtures.path("tiny_sd.pth")).verifyStorageChecksums())
        XCTAssertNoThrow(try CheckpointReader.open(Fixtures.path("legacy_sd.pth")).verifyStorageChecksums())
    }
}
