import Foundation
import XCTest

@testable import CheckpointContainers

final class FileReaderTests: XCTestCase {
    func testReadsExactRanges() throws {
        let path = try TemporaryDirectory(self).write(Array(0..<100), to: "bytes")
        let reader = try FileReader(path: path)
        XCTAssertEqual(reader.size, 100)
        XCTAssertEqual(try reader.read(offset: 95, count: 5), [95, 96, 97, 98, 99])
        XCTAssertEqual(try reader.read(offset: 100, count: 0), [])
        var buffer = [UInt8](repeating: 0, count: 4)
        try reader.read(offset: 10, into: &buffer, at: 1, count: 2)
        XCTAssertEqual(buffer, [0, 10, 11, 0])
    }

    func testRefusesReadsPastTheEnd() throws {
        let path = try TemporaryDirectory(self).write(Array(0..<100), to: "bytes")
        let reader = try FileReader(path: path)
        assertThrows(.readOutOfBounds(path: path, offset: 99, count: 2, fileSize: 100)) {
            try reader.read(offset: 99, count: 2)
        }
        assertThrows(.readOutOfBounds(path: path, offset: .max, count: 1, fileSize: 100)) {
            try reader.read(offset: .max, count: 1)
        }
    }

    func testMissingFile() throws {
        let path = try TemporaryDirectory(self).path("missing")
        assertThrows(.systemCallFailed(path: path, call: "open", errno: ENOENT)) { try FileReader(path: path) }
    }

    func testDirectoryIsNotARegularFile() throws {
        let path = try TemporaryDirectory(self).url.path
        assertThrows(.notARegularFile(path: path)) { try FileReader(path: path) }
    }

    func testFileThatShrinksWhileOpen() throws {
        let path = try TemporaryDirectory(self).write(Array(0..<100), to: "bytes")
        let reader = try FileReader(path: path)
        XCTAssertEqual(truncate(path, 50), 0)
        assertThrows(.unexpectedEndOfFile(path: path, offset: 50)) { try reader.read(offset: 40, count: 20) }
    }
}
