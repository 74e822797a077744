import Foundation
import XCTest

@testable import CheckpointContainers

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
        let period = (0..<4099).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 >> 8) }
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
        return Array(pattern[produced..<produced + count])
    }
}

/// Fills the writer's buffers with the same pattern as `PatternProducer`, noting the pieces asked for.
final class PatternFiller: ZipRecordFiller {
    private let pattern: [UInt8]
    private var produced = 0
    private(set) var pieces: [Int] = []
    var failAfter: Int?

    init(total: Int, seed: UInt8 = 7) {
        pattern = PatternProducer.bytes(total: total, seed: seed)
    }

    func nextChunk() throws -> [UInt8]? {
        XCTFail("the writer fills a ZipRecordFiller")
        return nil
    }

    func fill(_ buffer: inout [UInt8], at index: Int, count: Int) throws {
        if let failAfter, produced >= failAfter { throw ProducerFailure.broken }
        XCTAssertLessThanOrEqual(produced + count, pattern.count, "asked for more than the declared size")
        buffer.replaceSubrange(index..<index + count, with: pattern[produced..<produced + count])
        produced += count
        pieces.append(count)
    }
}

/// Hands the writer one held record: bytes, or float32 values; can be told to fail or to lie about its size.
final class HeldProducer: ZipHeldRecordProducer {
    private let bytes: RecordBytes
    private(set) var asked = 0
    var fails = false

    init(_ bytes: RecordBytes) {
        self.bytes = bytes
    }

    func heldBytes() throws -> RecordBytes {
        asked += 1
        if fails { throw ProducerFailure.broken }
        return bytes
    }

    func nextChunk() throws -> [UInt8]? {
        XCTFail("the writer takes a ZipHeldRecordProducer's bytes whole")
        return nil
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
            XCTAssertEqual(
                try reader.readAll(record, maxSize: 16 << 20), PatternProducer.bytes(total: size, seed: UInt8(record.index)))
        }
    }

    func testFillersWriteStraightIntoTheBuffersAcrossTheirBoundaries() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("filled.pth")
        let writer = try ZipArchiveWriter(path: path)
        let sizes = [ArchiveOutput.bufferCapacity * 2 + 12_345, 1, 0]
        let fillers = sizes.enumerated().map { PatternFiller(total: $1, seed: UInt8($0)) }
        for (index, filler) in fillers.enumerated() {
            try writer.addStored(name: "f/data/\(index)", size: UInt64(sizes[index]), producer: filler)
        }
        try writer.finish()
        let piece = ZipArchiveWriter.fillPieceSize
        XCTAssertEqual(
            fillers[0].pieces, [Int](repeating: piece, count: sizes[0] / piece) + [sizes[0] % piece],
            "pieces end at the multiples of the piece size, whatever the buffers' fill")
        XCTAssertEqual(fillers[2].pieces, [], "an empty record is never asked for bytes")
        let reader = try ZipArchiveReader(path: path)
        for (record, size) in zip(reader.records, sizes) {
            let bytes = PatternProducer.bytes(total: size, seed: UInt8(record.index))
            XCTAssertEqual(record.crc32, CRC32.checksum(bytes))
            XCTAssertEqual(try reader.readAll(record, maxSize: 32 << 20), bytes)
        }
    }

    /// Held records between filled and chunked ones, each straddling the writer's buffers: the bytes, the
    /// CRCs and the alignment are those of copied records, and each held record is asked for once.
    func testHeldRecordsAreWrittenAsTheyAreBetweenBufferedOnes() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("held.pth")
        let writer = try ZipArchiveWriter(path: path)
        let floats = (0..<(ArchiveOutput.bufferCapacity / 4 + 1001)).map { Float($0) * 0.37 - 11 }
        let floatBytes = floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let plain = PatternProducer.bytes(total: 3 * ArchiveOutput.bufferCapacity / 2 + 7, seed: 3)
        let records: [(String, [UInt8], ZipRecordProducer)] = [
            ("h/data/0", PatternProducer.bytes(total: 100_001, seed: 1), PatternFiller(total: 100_001, seed: 1)),
            ("h/data/1", floatBytes, HeldProducer(RecordBytes(littleEndianFloat32: floats))),
            ("h/data/2", [], HeldProducer(RecordBytes([]))),
            ("h/data/3", plain, HeldProducer(RecordBytes(plain))),
            ("h/data/4", PatternProducer.bytes(total: 5000, seed: 4), PatternProducer(total: 5000, chunkSize: 999, seed: 4)),
            ("h/data/5", [9, 8, 7], HeldProducer(RecordBytes([9, 8, 7]))),
        ]
        for (name, bytes, producer) in records {
            try writer.addStored(name: name, size: UInt64(bytes.count), producer: producer)
        }
        try writer.finish()
        for case let held as HeldProducer in records.map(\.2) { XCTAssertEqual(held.asked, 1) }
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map(\.name), records.map(\.0))
        for (record, (name, bytes, _)) in zip(reader.records, records) {
            XCTAssertEqual(record.dataOffset! % 64, 0, name)
            XCTAssertEqual(record.crc32, CRC32.checksum(bytes), name)
            XCTAssertEqual(try reader.readAll(record, maxSize: 32 << 20), bytes, name)
            XCTAssertNoThrow(try reader.verifyCRC(record), name)
        }
    }

    func testEveryRecordIsAlignedTo64BytesAsPlanned() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("aligned.pth")
        let writer = try ZipArchiveWriter(path: path)
        var planned: [UInt64] = []
        for (index, size) in sizes.enumerated() {
            planned.append(
                try writer.addStored(
                    name: "a/\(String(repeating: "n", count: index * 7))", bytes: [UInt8](repeating: 1, count: size)))
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
        XCTAssertEqual(Array(bytes[44..<48]), [0x46, 0x42, 16, 0])
        XCTAssertEqual(Array(bytes[48..<64]), [UInt8](repeating: 0x5A, count: 16))
        XCTAssertEqual(Array(bytes[64..<67]), [1, 2, 3])
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

    func testIdenticalInputGivesIdenticalBytesWhateverTheChunking() throws {
        let directory = try TemporaryDirectory(self)
        _ = try writeSample(to: directory.path("first.pth"))
        let first = try TemporaryDirectory.contents(of: directory.path("first.pth"))
        for chunkSize in [1, 7, 64, 1 << 20] {
            let path = directory.path("chunks-\(chunkSize).pth")
            let writer = try ZipArchiveWriter(path: path)
            for (index, size) in sizes.enumerated() {
                let name = index == 0 ? "sample/data.pkl" : "sample/data/\(index)"
                let producer = PatternProducer(total: size, chunkSize: chunkSize, seed: UInt8(index))
                try writer.addStored(name: name, size: UInt64(size), producer: producer)
            }
            try writer.finish()
            XCTAssertEqual(try TemporaryDirectory.contents(of: path), first, "chunks of \(chunkSize)")
        }
        // No time, date or attribute from the machine: all zero, as torch writes them.
        XCTAssertEqual(first.readLE(UInt32.self, at: 10), 0)
    }

    func testEachRecordIsFollowedByItsDescriptorAndTheNextHeader() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("descriptors.pth")
        _ = try writeSample(to: path)
        let bytes = try TemporaryDirectory.contents(of: path)
        let reader = try ZipArchiveReader(path: path)
        for (record, next) in zip(reader.records, reader.records.dropFirst()) {
            let end = Int(record.dataOffset! + record.size)
            let flags = bytes.readLE(UInt16.self, at: Int(record.headerOffset) + 6)
            if record.size == 0 {
                XCTAssertEqual(flags, 0x0800, record.name)
                XCTAssertEqual(UInt64(end), next.headerOffset, record.name)
            } else {
                XCTAssertEqual(flags, 0x0808, record.name)
                XCTAssertEqual(bytes.readLE(UInt32.self, at: end), 0x0807_4B50, record.name)
                XCTAssertEqual(bytes.readLE(UInt32.self, at: end + 4), record.crc32, record.name)
                XCTAssertEqual(bytes.readLE(UInt32.self, at: end + 8), UInt32(record.size), record.name)
                XCTAssertEqual(bytes.readLE(UInt32.self, at: end + 12), UInt32(record.size), record.name)
                XCTAssertEqual(UInt64(end + 16), next.headerOffset, record.name)
            }
        }
    }

    func testRefusesARecordThatWouldPassTheLargestOffset() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("huge.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])  // data at 64, descriptor up to 81
        let size = UInt64(Int64.max) - 10
        // 81 + 30 + 6 + 20 (zip64 sizes) + 4 = 141 → data at 192; a 24-byte descriptor must fit too.
        assertThrows(.recordTooLarge(path: path, record: "x/huge", size: size, limit: UInt64(Int64.max) - 192 - 24)) {
            try writer.addStored(name: "x/huge", size: size, producer: PatternProducer(total: 0, chunkSize: 1))
        }
        XCTAssertEqual(try writer.addStored(name: "x/b", bytes: [2]), 128, "the refused record left no trace")
    }

    func testPlansZip64ForARecordOfExactly0xFFFFFFFFBytes() throws {
        let directory = try TemporaryDirectory(self)
        let writer = try ZipArchiveWriter(path: directory.path("ffffffff.pth"))
        // 30 + 3 + 20 (zip64 sizes) + 4 = 57 → data at 64.
        XCTAssertEqual(
            try writer.addStored(name: "x/a", size: 0xFFFF_FFFF, producer: PatternProducer(total: 0, chunkSize: 1)), 64)
        // Next header at 64 + 0xFFFFFFFF + 24 (zip64 descriptor); + 30 + 3 + 12 (zip64 offset) + 4.
        let header: UInt64 = 64 + 0xFFFF_FFFF + 24
        XCTAssertEqual(try writer.addStored(name: "x/b", bytes: [1]), (header + 49 + 63) / 64 * 64)
        writer.discard()
    }

    func testArchiveWithoutRecordsIsJustTheEndRecords() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("empty.pth")
        try ZipArchiveWriter(path: path).finish()
        let bytes = try TemporaryDirectory.contents(of: path)
        XCTAssertEqual(bytes, TorchZipHeaders.endRecords(entryCount: 0, directoryOffset: 0, directorySize: 0))
        XCTAssertEqual(try ZipArchiveReader(path: path).records, [])
    }
}
