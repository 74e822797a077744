import XCTest

@testable import CheckpointContainers

/// Reading archives written by torch, Python's zipfile and by hand (well-formed ones).
final class ZipArchiveReaderTests: XCTestCase {
    func testReadsTorchSaveOutputWithDeferredSizesAndAlignment() throws {
        let directory = try TemporaryDirectory(self)
        let reader = try ZipArchiveReader(path: directory.write(FixtureArchives.torchSmall, to: "small.pth"))
        XCTAssertEqual(
            reader.records.map(\.name),
            [
                "archive/data.pkl", "archive/.format_version", "archive/.storage_alignment", "archive/byteorder",
                "archive/data/0", "archive/version", "archive/.data/serialization_id",
            ])
        for record in reader.records {
            XCTAssertEqual(record.dataOffset.map { $0 % 64 }, 0, record.name)
            XCTAssertNoThrow(try reader.verifyCRC(record), record.name)
        }
        let storage = try reader.readAll(XCTUnwrap(reader.record(named: "archive/data/0")), maxSize: 1024)
        let floats = stride(from: 0, to: 24, by: 4).map { Float(bitPattern: storage.readLE(UInt32.self, at: $0)) }
        XCTAssertEqual(floats, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try reader.readAll(XCTUnwrap(reader.record(named: "archive/version")), maxSize: 8), Array("3\n".utf8))
        XCTAssertEqual(try reader.readAll(XCTUnwrap(reader.record(named: "archive/byteorder")), maxSize: 8), Array("little".utf8))
    }

    func testReadsPythonZipfileStoredArchive() throws {
        let directory = try TemporaryDirectory(self)
        let reader = try ZipArchiveReader(path: directory.write(FixtureArchives.pythonStored, to: "py.zip"))
        XCTAssertEqual(reader.records.map(\.name), ["archive/data.pkl", "archive/data/0", "archive/version"])
        let data = try XCTUnwrap(reader.record(named: "archive/data/0"))
        XCTAssertEqual(try reader.readAll(data, maxSize: 256), Array(0...255))
        XCTAssertEqual(try reader.read(data, offset: 250, count: 6), [250, 251, 252, 253, 254, 255])
        var buffer = [UInt8](repeating: 9, count: 6)
        try reader.read(data, offset: 16, into: &buffer, at: 2, count: 3)
        XCTAssertEqual(buffer, [9, 9, 16, 17, 18, 9])
        XCTAssertNil(reader.record(named: "archive/missing"))
    }

    func testReadsDeflatedRecordsThroughLibzip() throws {
        let directory = try TemporaryDirectory(self)
        let reader = try ZipArchiveReader(path: directory.write(FixtureArchives.pythonDeflated, to: "ts.zip"))
        let code = try XCTUnwrap(reader.record(named: "m/code/__torch__.py"))
        XCTAssertEqual(code.compression, .deflated)
        XCTAssertNil(code.dataOffset)
        let expected = Array(String(repeating: "def forward(self, x):\n    return x\n", count: 40).utf8)
        XCTAssertEqual(try reader.readAll(code, maxSize: 1 << 16), expected)
        XCTAssertEqual(try reader.read(code, offset: 1000, count: 30), Array(expected[1000..<1030]))
        XCTAssertNoThrow(try reader.verifyCRC(code))
        XCTAssertEqual(
            try reader.readAll(XCTUnwrap(reader.record(named: "m/constants.pkl")), maxSize: 16), [0x80, 2, 0x29, 0x2E])
    }

    func testReadsHandMadeZip64Directory() throws {
        var entry = RawZipBuilder.Entry("w/data/0", [1, 2, 3, 4])
        entry.zip64 = true
        var builder = RawZipBuilder([RawZipBuilder.Entry("w/data.pkl", [0x80, 2]), entry])
        builder.zip64End = true
        let directory = try TemporaryDirectory(self)
        let reader = try ZipArchiveReader(path: directory.write(builder.bytes(), to: "z64.zip"))
        let record = try XCTUnwrap(reader.record(named: "w/data/0"))
        XCTAssertEqual(record.size, 4)
        XCTAssertEqual(try reader.readAll(record, maxSize: 4), [1, 2, 3, 4])
    }

    func testRecognisesZipPrefix() {
        XCTAssertTrue(ZipArchiveReader.looksLikeZip([0x50, 0x4B, 0x03, 0x04, 0]))
        XCTAssertFalse(ZipArchiveReader.looksLikeZip([0x50, 0x4B, 0x05, 0x06]))
        XCTAssertFalse(ZipArchiveReader.looksLikeZip([0x80, 0x02]))
    }

    func testConcurrentReadsOfStoredAndDeflatedRecords() throws {
        let directory = try TemporaryDirectory(self)
        let reader = try ZipArchiveReader(path: directory.write(FixtureArchives.pythonDeflated, to: "ts.zip"))
        let code = try XCTUnwrap(reader.record(named: "m/code/__torch__.py"))
        let expected = try reader.readAll(code, maxSize: 1 << 16)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            XCTAssertEqual(try? reader.readAll(code, maxSize: 1 << 16), expected)
        }
    }
}
