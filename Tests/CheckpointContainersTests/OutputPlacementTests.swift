import CheckpointContainers
import Foundation
import TorchCheckpoint
import XCTest

/// A temporary output name stays registered for removal by a terminating signal exactly as long as a file
/// may be there under it: from the moment it is chosen until it is put in place or removed.
final class OutputPlacementTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("merge-daconv-placement-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testATemporaryNameIsRegisteredUntilPlacedOrRemoved() throws {
        let before = TerminationCleanup.registeredCount
        for (replacing, placed) in [(false, true), (true, true), (false, false)] {
            let destination = folder.appendingPathComponent("out-\(replacing)-\(placed).pth").path
            let temporary = OutputPlacement.temporaryPath(beside: destination)
            XCTAssertTrue(temporary.hasPrefix(folder.path + "/.out-"), temporary)
            XCTAssertEqual(TerminationCleanup.registeredCount, before + 1)
            XCTAssertTrue(FileManager.default.createFile(atPath: temporary, contents: Data([1, 2, 3])))
            if placed {
                try OutputPlacement.place(temporary, at: destination, replacing: replacing)
                XCTAssertEqual(FileManager.default.contents(atPath: destination), Data([1, 2, 3]))
            } else {
                OutputPlacement.remove(temporary)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: temporary))
            XCTAssertEqual(TerminationCleanup.registeredCount, before, "replacing \(replacing), placed \(placed)")
        }
    }

    /// A refused placement (the destination exists) keeps the name registered: the caller still removes it.
    func testARefusedPlacementLeavesTheNameToItsRemoval() throws {
        let before = TerminationCleanup.registeredCount
        let destination = folder.appendingPathComponent("taken.pth").path
        XCTAssertTrue(FileManager.default.createFile(atPath: destination, contents: Data([9])))
        let temporary = OutputPlacement.temporaryPath(beside: destination)
        XCTAssertTrue(FileManager.default.createFile(atPath: temporary, contents: Data([1])))
        XCTAssertThrowsError(try OutputPlacement.place(temporary, at: destination, replacing: false))
        XCTAssertEqual(TerminationCleanup.registeredCount, before + 1)
        OutputPlacement.remove(temporary)
        XCTAssertEqual(TerminationCleanup.registeredCount, before)
        XCTAssertEqual(FileManager.default.contents(atPath: destination), Data([9]))
    }
}
