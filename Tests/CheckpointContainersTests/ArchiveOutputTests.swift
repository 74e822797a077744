import XCTest

@testable import CheckpointContainers
import TestSupport

/// The buffered, background-written output under the writer.
final class ArchiveOutputTests: XCTestCase {
    func testPiecesOfEverySizeArriveInOrderThroughSmallBuffers() throws {
        let path = try TemporaryDirectory(self).path("out.bin")
        // An expected size of 1000 makes 1000-byte buffers: hundreds of hand-offs through three buffers.
        let output = try ArchiveOutput(creating: path, expectedSize: 1000)
        var expected: [UInt8] = []
        var generator = SplitMix64(seed: 9)
        for round in 0..<400 {
            let count = [0, 1, 999, 1000, 1001, 2500][round % 6] + Int(generator.next() % 50)
            let piece = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try output.append(piece[...])
            expected += piece
            XCTAssertEqual(output.position, UInt64(expected.count))
        }
        try output.commit()
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), expected)
    }

    func testLargeBuffersForALargeArchive() throws {
        let path = try TemporaryDirectory(self).path("out.bin")
        let output = try ArchiveOutput(creating: path, expectedSize: 1 << 40)
        let piece = PatternProducer.bytes(total: ArchiveOutput.bufferCapacity * 2 + 5)
        try output.append(piece)
        try output.append([1, 2, 3])
        try output.commit()
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), piece + [1, 2, 3])
    }

    func testRollbackRemovesThePartFile() throws {
        let directory = try TemporaryDirectory(self)
        let output = try ArchiveOutput(creating: directory.path("out.bin"), expectedSize: 1 << 30)
        try output.append([UInt8](repeating: 1, count: 3 * ArchiveOutput.bufferCapacity))
        output.rollback()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    func testNeverReplacesAFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = try directory.write([7], to: "out.bin")
        assertThrows(.fileExists(path: path)) { try ArchiveOutput(creating: path, expectedSize: 10) }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [7])
    }
}
