import XCTest

@testable import CheckpointContainers

/// Archives that open but whose records' bytes must be refused when read.
final class RecordContentTests: XCTestCase {
    typealias Entry = RawZipBuilder.Entry

    private func reader(_ entries: [Entry]) throws -> ZipArchiveReader {
        let path = try TemporaryDirectory(self).write(RawZipBuilder(entries).bytes(), to: "content.zip")
        return try ZipArchiveReader(path: path)
    }

    /// A deflated record of one MiB of zeros, declaring `size` bytes and the CRC of `crcOf`.
    private func zerosEntry(size: UInt64, crcOf: Int) -> Entry {
        var entry = Entry("x/zeros", FixtureArchives.megabyteOfZerosDeflated)
        entry.method = 8
        entry.size = size
        entry.crc = CRC32.checksum([UInt8](repeating: 0, count: crcOf))
        return entry
    }

    func testStoredRecordWithWrongCRC() throws {
        var entry = Entry("x/a", [1, 2, 3])
        entry.crc = 0x1234_5678
        let archive = try reader([entry])
        let record = archive.records[0]
        let expected = ContainerError.crcMismatch(
            path: archive.path, record: "x/a", expected: 0x1234_5678, actual: CRC32.checksum([1, 2, 3]))
        assertThrows(expected) { try archive.readAll(record, maxSize: 10) }
        assertThrows(expected) { try archive.verifyCRC(record) }
        XCTAssertEqual(try archive.read(record, offset: 0, count: 3), [1, 2, 3], "slices are not CRC-checked")
    }

    func testDeflatedRecordWithWrongCRC() throws {
        let archive = try reader([zerosEntry(size: 1 << 20, crcOf: 5)])
        let expected = ContainerError.crcMismatch(
            path: archive.path, record: "x/zeros", expected: CRC32.checksum([UInt8](repeating: 0, count: 5)),
            actual: CRC32.checksum([UInt8](repeating: 0, count: 1 << 20)))
        assertThrows(expected) { try archive.readAll(archive.records[0], maxSize: 1 << 20) }
        assertThrows(expected) { try archive.verifyCRC(archive.records[0]) }
    }

    func testDeflateBombIsStoppedAtItsDeclaredSize() throws {
        let archive = try reader([zerosEntry(size: 1000, crcOf: 1000)])
        let expected = ContainerError.inflatesBeyondDeclaredSize(path: archive.path, record: "x/zeros", declared: 1000)
        assertThrows(expected) { try archive.readAll(archive.records[0], maxSize: 1 << 30) }
        assertThrows(expected) { try archive.verifyCRC(archive.records[0]) }
    }

    func testDeflatedRecordShorterThanDeclared() throws {
        let archive = try reader([zerosEntry(size: 2 << 20, crcOf: 1 << 20)])
        let expected = ContainerError.recordSizeMismatch(
            path: archive.path, record: "x/zeros", declared: 2 << 20, actual: 1 << 20)
        assertThrows(expected) { try archive.readAll(archive.records[0], maxSize: 4 << 20) }
        assertThrows(expected) { try archive.verifyCRC(archive.records[0]) }
        assertThrows(expected) { try archive.read(archive.records[0], offset: (1 << 20) - 1, count: 2) }
    }

    func testRecordLargerThanTheCallersLimitIsNotAllocated() throws {
        var entry = zerosEntry(size: 1 << 40, crcOf: 0)
        entry.zip64 = true
        entry.deferredSizes = true
        let archive = try reader([entry])
        assertThrows(.recordTooLarge(path: archive.path, record: "x/zeros", size: 1 << 40, limit: 1 << 20)) {
            try archive.readAll(archive.records[0], maxSize: 1 << 20)
        }
    }

    func testCorruptDeflateStream() throws {
        var entry = Entry("x/bad", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        entry.method = 8
        entry.size = 100
        let archive = try reader([entry])
        XCTAssertThrowsError(try archive.readAll(archive.records[0], maxSize: 100)) { error in
            guard case .decompressionFailed(let path, let record, let detail)? = error as? ContainerError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(path, archive.path)
            XCTAssertEqual(record, "x/bad")
            XCTAssertFalse(detail.isEmpty)
        }
    }

    func testLibzipFailureOnAFileChangedAfterOpening() throws {
        // libzip reads through a stdio buffer; the padding makes it hold the last local header,
        // far from the first record, when the archive has been opened.
        let entries = [
            zerosEntry(size: 1 << 20, crcOf: 1 << 20), Entry("x/pad", [UInt8](repeating: 0, count: 1 << 16)),
            Entry("x/last", [1]),
        ]
        let path = try TemporaryDirectory(self).write(RawZipBuilder(entries).bytes(), to: "changed.zip")
        let archive = try ZipArchiveReader(path: path)
        XCTAssertEqual(truncate(path, 10), 0)  // libzip re-reads the local header to find the data
        XCTAssertThrowsError(try archive.readAll(archive.records[0], maxSize: 1 << 20)) { error in
            guard case .libzipFailed(let failedPath, let operation, let message)? = error as? ContainerError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(failedPath, path)
            XCTAssertEqual(operation, "open record 0")
            XCTAssertFalse(message.isEmpty)
        }
    }

    func testUnsupportedCompressionMethod() throws {
        var entry = Entry("x/bz", [1, 2, 3])
        entry.method = 12
        let archive = try reader([entry])
        let record = archive.records[0]
        XCTAssertEqual(record.compression, .other(12))
        let expected = ContainerError.unsupportedCompression(path: archive.path, record: "x/bz", method: 12)
        assertThrows(expected) { try archive.readAll(record, maxSize: 10) }
        assertThrows(expected) { try archive.read(record, offset: 0, count: 1) }
        assertThrows(expected) { try archive.verifyCRC(record) }
    }

    func testSliceBeyondTheRecord() throws {
        let archive = try reader([Entry("x/a", [1, 2, 3]), Entry("x/b", [4, 5, 6])])
        let record = archive.records[0]
        assertThrows(.readBeyondRecord(path: archive.path, record: "x/a", offset: 2, count: 2, size: 3)) {
            try archive.read(record, offset: 2, count: 2)
        }
        assertThrows(.readBeyondRecord(path: archive.path, record: "x/a", offset: .max, count: 1, size: 3)) {
            try archive.read(record, offset: .max, count: 1)
        }
    }

    func testEmptyRecords() throws {
        let archive = try reader([Entry("x/empty", [])])
        XCTAssertEqual(try archive.readAll(archive.records[0], maxSize: 0), [])
        XCTAssertNoThrow(try archive.verifyCRC(archive.records[0]))
    }
}
