@testable import CheckpointContainers
import Foundation
import XCTest

/// Produces `total` bytes of a seeded pattern (period 4099, so shifted data never matches) in
/// chunks of `chunkSize`; can be told to fail part way.
final class PatternProducer: ZipRecordProducer {
    private let pattern: [UInt8]
    private let total: Int
    private let chunkSize: Int
    private var produced = 0
    var failAfter: Int?

    init(total: Int, chunkSize: Int, seed: UInt8 = 7) {
        self.pattern = Self.bytes(total: total, seed: seed)
        self.total = total
        self.chunkSize = chunkSize
    }

    /// The whole pattern of `total` bytes.
    static func bytes(total: Int, seed: UInt8 = 7) -> [UInt8] {
        let period = (0 ..< 4099).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 >> 8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total + period.count)
        while bytes.count < total { bytes.append(contentsOf: period) }
        bytes.removeLast(bytes.count - total)
        return bytes
    }

    func nextChunk() throws -> [UInt8]? {
        if let failAfter, produced >= failAfter { throw ProducerFailure.broken }
        guard produced < total else { return nil }
        let count = min(chunkSize, total - produced)
        defer { produced += count }
        return Array(pattern[produced ..< produced + count])
    }
}

enum ProducerFailure: Error, Equatable {
    case broken
}

final class ZipArchiveWriterTests: XCTestCase {
    /// Records of awkward sizes: empty, odd, exactly one alignment, multi-chunk.
    private let sizes = [0, 1, 63, 64, 65, 3, 1000, 200_003]

    private func writeSample(to path: String) throws -> [(String, [UInt8])] {
        let writer = try ZipArchiveWriter(path: path)
        var expected: [(String, [UInt8])] = []
        for (index, size) in sizes.enumerated() {
            let name = index == 0 ? "sample/data.pkl" : "sample/data/\(index)"
            let bytes = PatternProducer.bytes(total: size, seed: UInt8(index))
            if index % 2 == 0 {
                try writer.addStored(name: name, bytes: bytes)
            } else {
                let producer = PatternProducer(total: size, chunkSize: 4099, seed: UInt8(index))
                try writer.addStored(name: name, size: UInt64(size), producer: producer)
            }
            expected.append((name, bytes))
        }
        try writer.finish()
        return expected
    }

    func testRoundTripKeepsNamesOrderSizesBytesAndCRCs() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("round.pth")
        let expected = try writeSample(to: path)
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map(\.name), expected.map(\.0))
        for (record, (_, bytes)) in zip(reader.records, expected) {
            XCTAssertEqual(record.size, UInt64(bytes.count))
            XCTAssertEqual(record.compression, .stored)
            XCTAssertEqual(record.crc32, CRC32.checksum(bytes))
            XCTAssertEqual(try reader.readAll(record, maxSize: 1 << 20), bytes)
            XCTAssertNoThrow(try reader.verifyCRC(record))
        }
    }

    func testArchiveLargerThanTheWriteBuffersRoundTrips() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("large.pth")
        let writer = try ZipArchiveWriter(path: path)
        let sizes = [5 << 20 + 3, 17, 9 << 20 + 11, 0, 6 << 20]
        for (index, size) in sizes.enumerated() {
            let producer = PatternProducer(total: size, chunkSize: 1 << 20 + 1, seed: UInt8(index))
            try writer.addStored(name: "large/data/\(index)", size: UInt64(size), producer: producer)
        }
        try writer.finish()
        let reader = try ZipArchiveReader(path: path)
        for (record, size) in zip(reader.records, sizes) {
            XCTAssertEqual(record.dataOffset! % 64, 0)
            XCTAssertEqual(try reader.readAll(record, maxSize: 16 << 20), PatternProducer.bytes(total: size, seed: UInt8(record.index)))
        }
    }

    func testEveryRecordIsAlignedTo64BytesAsPlanned() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("aligned.pth")
        let writer = try ZipArchiveWriter(path: path)
        var planned: [UInt64] = []
        for (index, size) in sizes.enumerated() {
            planned.append(try writer.addStored(name: "a/\(String(repeating: "n", count: index * 7))", bytes: [UInt8](repeating: 1, count: size)))
        }
        try writer.finish()
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map { $0.dataOffset! }, planned)
        for record in reader.records {
            XCTAssertEqual(record.dataOffset! % 64, 0, "record \(record.name) at \(record.dataOffset!)")
        }
    }

    func testPaddingFieldIsTorchsFBFieldOfZBytes() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("fb.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "small/data.pkl", bytes: [1, 2, 3])
        try writer.finish()
        let bytes = try TemporaryDirectory.contents(of: path)
        // 30 + 14 + 4 = 48, so 16 bytes of padding put the data at 64 (as torch does).
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 28), 20)
        XCTAssertEqual(Array(bytes[44 ..< 48]), [0x46, 0x42, 16, 0])
        XCTAssertEqual(Array(bytes[48 ..< 64]), [UInt8](repeating: 0x5A, count: 16))
        XCTAssertEqual(Array(bytes[64 ..< 67]), [1, 2, 3])
    }

    func testAlignmentIsConfigurable() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("4k.pth")
        let writer = try ZipArchiveWriter(path: path, alignment: 4096)
        try writer.addStored(name: "x/a", bytes: [1])
        try writer.addStored(name: "x/b", bytes: [UInt8](repeating: 2, count: 5000))
        try writer.finish()
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map { $0.dataOffset! }, [4096, 8192])
    }

    func testIdenticalInputGivesIdenticalBytesInAnyTimeZone() throws {
        let directory = try TemporaryDirectory(self)
        _ = try writeSample(to: directory.path("first.pth"))
        let savedZone = ProcessInfo.processInfo.environment["TZ"]
        setenv("TZ", "America/Santiago", 1)  // southern summer time on 1 January
        tzset()
        defer {
            if let savedZone { setenv("TZ", savedZone, 1) } else { unsetenv("TZ") }
            tzset()
        }
        _ = try writeSample(to: directory.path("second.pth"))
        let first = try TemporaryDirectory.contents(of: directory.path("first.pth"))
        XCTAssertEqual(first, try TemporaryDirectory.contents(of: directory.path("second.pth")))
        // DOS time 0, date 1980-01-01 in the first local header.
        XCTAssertEqual(first.readLE(UInt16.self, at: 10), 0)
        XCTAssertEqual(first.readLE(UInt16.self, at: 12), 0x21)
    }

    func testRefusesAnExistingFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = try directory.write([1, 2, 3], to: "existing.pth")
        assertThrows(.fileExists(path: path)) { try ZipArchiveWriter(path: path) }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [1, 2, 3])
    }

    func testProducerErrorIsRethrownAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("broken.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/first", bytes: [1, 2, 3])
        let producer = PatternProducer(total: 100_000, chunkSize: 1000)
        producer.failAfter = 50_000
        try writer.addStored(name: "x/second", size: 100_000, producer: producer)
        XCTAssertThrowsError(try writer.finish()) { XCTAssertEqual($0 as? ProducerFailure, .broken) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    func testProducerYieldingTooFewBytesFails() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("short.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/short", size: 1000, producer: PatternProducer(total: 999, chunkSize: 100))
        assertThrows(.recordSizeMismatch(path: path, record: "x/short", declared: 1000, actual: 999)) {
            try writer.finish()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testProducerYieldingTooManyBytesFails() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("long.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/long", size: 1000, producer: PatternProducer(total: 1001, chunkSize: 100))
        assertThrows(.recordSizeMismatch(path: path, record: "x/long", declared: 1000, actual: 1001)) {
            try writer.finish()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testRefusesDuplicateAndUnsafeNames() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("names.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [])
        assertThrows(.duplicateRecordName(path: path, name: "x/a")) { try writer.addStored(name: "x/a", bytes: []) }
        assertThrows(.unsafeRecordName(path: path, name: "../evil", reason: "the name has a '..' component")) {
            try writer.addStored(name: "../evil", bytes: [])
        }
        writer.discard()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testRefusesARecordThatWouldPassTheLargestOffset() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("huge.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        let size = UInt64(Int64.max) - 10
        assertThrows(.recordTooLarge(path: path, record: "x/huge", size: size, limit: UInt64(Int64.max) - 65)) {
            try writer.addStored(name: "x/huge", size: size, producer: PatternProducer(total: 0, chunkSize: 1))
        }
    }

    func testRefusesTheOneSizeLibzipWritesUnreadably() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("ffffffff.pth")
        let writer = try ZipArchiveWriter(path: path)
        assertThrows(.unwritableRecordSize(path: path, record: "x/a", size: 0xFFFF_FFFF)) {
            try writer.addStored(name: "x/a", size: 0xFFFF_FFFF, producer: PatternProducer(total: 0, chunkSize: 1))
        }
    }

    func testFinishWithoutRecordsIsAnError() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("empty.pth")
        let writer = try ZipArchiveWriter(path: path)
        assertThrows(.emptyArchive(path: path)) { try writer.finish() }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testMissingFolderIsReportedWhenTheFileIsCreated() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("missing-folder/x.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        assertThrows(.systemCallFailed(path: path, call: "open", errno: ENOENT)) { try writer.finish() }
    }

    func testFileCreatedMeanwhileIsNotReplaced() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("raced.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        try directory.write([9, 9], to: "raced.pth")
        assertThrows(.fileExists(path: path)) { try writer.finish() }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [9, 9])
    }
}
