import CheckpointContainers
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// torch takes the folder of an archive's first record and looks every record up inside it; a record outside it
/// makes the file something torch.save did not write. "Inside" is `String.hasPrefix` (the reader compares bytes
/// first, and characters where bytes cannot tell).
final class ArchiveFolderTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Fixtures.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// An archive of `{}` under `x/`, with `extra` records after its own.
    private func archive(extra: [String]) throws -> String {
        let path = scratch.appendingPathComponent("\(UUID().uuidString).pth").path
        let zip = try ZipArchiveWriter(path: path)
        try zip.addStored(name: "x/data.pkl", bytes: [0x80, 0x02, 0x7D, 0x2E])
        try zip.addStored(name: "x/version", bytes: Array("3\n".utf8))
        for name in extra { try zip.addStored(name: name, bytes: [1]) }
        try zip.finish()
        return path
    }

    func testRecordsInsideTheFolderAreRead() throws {
        let checkpoint = try CheckpointReader.open(try archive(extra: ["x/extra", "x/é/z", "x/z\u{301}"]))
        XCTAssertEqual(checkpoint.format.archivePrefix, "x")
    }

    func testARecordOutsideTheFolderIsRefusedByName() throws {
        // The last two: a combining accent after `x` or `x/` joins the character before it, which is then not
        // `x` or `/` (torch, comparing bytes, would read the last one as inside).
        for stray in ["y/z", "xy/z", "x", "é/z", "x\u{301}/z", "x/\u{301}z"] {
            XCTAssertThrowsError(try CheckpointReader.open(try archive(extra: [stray])), stray) { error in
                XCTAssertTrue("\(error)".contains("record \(stray) is outside the archive folder x/"), "\(error)")
            }
        }
    }
}
