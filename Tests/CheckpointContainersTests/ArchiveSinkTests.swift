@testable import CheckpointContainers
import XCTest

/// The buffered output under libzip, driven the way libzip drives it.
final class ArchiveSinkTests: XCTestCase {
    private func write(_ bytes: [UInt8], to sink: ArchiveSink) throws {
        let index = try sink.prepareWrite(count: bytes.count)
        sink.filling.replaceSubrange(index ..< index + bytes.count, with: bytes)
        sink.didWrite(bytes.count)
    }

    func testSeekBackRewriteAndContinue() throws {
        let path = try TemporaryDirectory(self).path("sink.bin")
        let sink = ArchiveSink(path: path)
        try sink.begin()
        try write([UInt8](repeating: 1, count: 100), to: sink)
        try sink.seek(offset: 10, whence: 0)
        try write([2, 2, 2], to: sink)
        XCTAssertEqual(sink.position, 13)
        try sink.seek(offset: 0, whence: 2)
        try write([3], to: sink)
        try sink.seek(offset: -1, whence: 1)
        try write([4], to: sink)
        try sink.commit()
        var expected = [UInt8](repeating: 1, count: 100)
        expected.replaceSubrange(10 ..< 13, with: [2, 2, 2])
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), expected + [4])
    }

    func testRunsLongerThanTheBufferAreWrittenInOrder() throws {
        let path = try TemporaryDirectory(self).path("sink.bin")
        let sink = ArchiveSink(path: path)
        try sink.begin()
        let piece = (0 ..< 8192).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let pieces = 3 * ArchiveSink.bufferCapacity / piece.count + 5
        for _ in 0 ..< pieces { try write(piece, to: sink) }
        try write([UInt8](repeating: 9, count: ArchiveSink.bufferCapacity + 1), to: sink)
        try sink.commit()
        let contents = try TemporaryDirectory.contents(of: path)
        XCTAssertEqual(contents.count, pieces * piece.count + ArchiveSink.bufferCapacity + 1)
        XCTAssertEqual(Array(contents[(pieces - 1) * piece.count ..< pieces * piece.count]), piece)
        XCTAssertEqual(contents.last, 9)
    }

    func testSeekBeforeTheStartIsRefused() throws {
        let path = try TemporaryDirectory(self).path("sink.bin")
        let sink = ArchiveSink(path: path)
        try sink.begin()
        let expected = ContainerError.libzipFailed(path: path, operation: "seek", message: "position 0 + -1")
        assertThrows(expected) { try sink.seek(offset: -1, whence: 1) }
        XCTAssertEqual(sink.failure, expected)
        sink.rollback()
    }

    func testRollbackRemovesThePartFile() throws {
        let directory = try TemporaryDirectory(self)
        let sink = ArchiveSink(path: directory.path("sink.bin"))
        try sink.begin()
        try write([UInt8](repeating: 1, count: 3 * ArchiveSink.bufferCapacity), to: sink)
        sink.rollback()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }
}
