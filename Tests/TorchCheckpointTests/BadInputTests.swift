import TestSupport
import TorchCheckpoint
import XCTest

/// Every hostile or broken file in fixtures/bad is refused with a one-line error naming the file and the culprit.
final class BadInputTests: XCTestCase {
    /// File -> words the error must contain.
    static let cases: [String: [String]] = [
        "binunicode_overrun.pth": ["BINUNICODE", "1073741824", "data.pkl"],
        "deep_nesting.pth": ["nesting depth", "data.pkl"],
        "dotdot_record.pth": ["..", "dotdot_record/../escape.txt"],
        "duplicate_data_pkl.pth": ["duplicate_data_pkl/data.pkl", "more than once"],
        "empty.pth": ["empty"],
        "inst_builtins_eval.pth": ["builtins.eval", "INST"],
        "legacy_short_storage.pth": ["legacy storage", "5 elements", "declares 6"],
        "legacy_truncated.pth": ["legacy storage", "expected 24"],
        "missing_stop.pth": ["STOP"],
        "missing_storage_record.pth": ["missing_storage_record/data/1", "missing"],
        "negative_stride.pth": ["tensor w", "negative stride"],
        "no_data_pkl.pth": ["no_data_pkl/data.pkl", "missing"],
        "random_bytes.pth": ["not a PyTorch checkpoint"],
        "reduce_os_system.pth": ["os.system", "REDUCE"],
        "reduce_posix_system.pth": ["posix.system", "REDUCE"],
        "short_storage.pth": ["short_storage/data/0", "20 bytes", "expected 24"],
        "stack_underflow.pth": ["stack underflow", "TUPLE2"],
        "stride_overflow.pth": ["tensor w", "overflows"],
        "text.pth": ["not a PyTorch checkpoint"],
        "truncated_zip.pth": ["truncated"],
        "unknown_memo.pth": ["memo index 5"],
        "unknown_opcode.pth": ["0xFF"],
        "view_out_of_bounds.pth": ["tensor w", "outside storage 0"],
    ]

    func testEveryBadFixtureIsRefusedWithItsCulprit() {
        for (file, words) in Self.cases.sorted(by: { $0.key < $1.key }) {
            let path = Fixtures.path("bad/\(file)")
            XCTAssertThrowsError(try CheckpointReader.open(path), file) { error in
                guard let error = error as? CheckpointError else { return XCTFail("\(file): \(error) is not a CheckpointError") }
                let message = error.description
                XCTAssertTrue(message.hasPrefix(path), "\(file): '\(message)' does not start with the path")
                XCTAssertFalse(message.contains("\n"), "\(file): the message is one line")
                for word in words { XCTAssertTrue(message.contains(word), "\(file): '\(message)' lacks '\(word)'") }
            }
        }
    }

    func testCorruptStorageIsCaughtByItsCRC() throws {
        let checkpoint = try CheckpointReader.open(Fixtures.path("bad/crc_mismatch.pth"))
        let corrupt = checkpoint.storages["2"]!
        XCTAssertThrowsError(try checkpoint.verifyCRC(of: corrupt)) { error in
            XCTAssertTrue("\(error)".contains("tiny_sd/data/2"), "\(error)")
        }
        XCTAssertNoThrow(try checkpoint.verifyCRC(of: checkpoint.storages["1"]!))
    }

    func testMissingFileIsAnError() {
        XCTAssertThrowsError(try CheckpointReader.open("/nonexistent/model.pth")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model.pth"), "\(error)")
        }
    }
}
