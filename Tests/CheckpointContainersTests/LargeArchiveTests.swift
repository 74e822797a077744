@testable import CheckpointContainers
import Foundation
import XCTest

/// Yields `total` zero bytes from one reused buffer, then a short recognisable tail.
final class ZerosWithTailProducer: ZipRecordProducer {
    static let tail: [UInt8] = Array("END-OF-RECORD".utf8)
    private static let zeros = [UInt8](repeating: 0, count: 8 << 20)
    private var remaining: UInt64
    private var tailSent = false

    /// A record of `size` bytes (at least the tail's length) ending with `tail`.
    init(size: UInt64) {
        precondition(size >= UInt64(Self.tail.count))
        remaining = size - UInt64(Self.tail.count)
    }

    func nextChunk() throws -> [UInt8]? {
        if remaining >= UInt64(Self.zeros.count) {
            remaining -= UInt64(Self.zeros.count)
            return Self.zeros
        }
        if remaining > 0 {
            defer { remaining = 0 }
            return Array(Self.zeros[..<Int(remaining)])
        }
        if tailSent { return nil }
        tailSent = true
        return Self.tail
    }
}

/// zip64 for real: a record of 0xFFFFFFFE bytes, one beyond 4 GiB, and records whose headers
/// lie beyond 4 GiB. Writes about 8.6 GB, so it runs only with
/// `MERGE_DACONV_LARGE_TESTS=1` (and `MERGE_DACONV_LARGE_DIR` to choose the disk).
final class LargeArchiveTests: XCTestCase {
    func testZip64RecordsAndOffsetsStayAligned() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["MERGE_DACONV_LARGE_TESTS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_LARGE_TESTS=1 to write an 8.6 GB zip64 archive")
        }
        let folder = environment["MERGE_DACONV_LARGE_DIR"] ?? NSTemporaryDirectory()
        let path = (folder as NSString).appendingPathComponent("zip64-\(UUID().uuidString).pth")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sizes: [(String, UInt64)] = [
            ("big/data.pkl", 100), ("big/data/0", 0xFFFF_FFFE), ("big/data/1", 1000),
            ("big/data/2", 0x1_0000_0000 + 77), ("big/data/3", 0), ("big/version", 20),
        ]
        let writer = try ZipArchiveWriter(path: path)
        var planned: [UInt64] = []
        for (name, size) in sizes {
            let producer: ZipRecordProducer = size == 0 ? ArrayProducer([]) : ZerosWithTailProducer(size: size)
            planned.append(try writer.addStored(name: name, size: size, producer: producer))
        }
        let start = Date()
        try writer.finish()
        print("wrote \(sizes.map(\.1).reduce(0, +)) bytes in \(Date().timeIntervalSince(start)) s")
        try checkReadBack(path: path, sizes: sizes, planned: planned)
    }

    private func checkReadBack(path: String, sizes: [(String, UInt64)], planned: [UInt64]) throws {
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map(\.name), sizes.map(\.0))
        XCTAssertEqual(reader.records.map { $0.dataOffset! }, planned)
        XCTAssertGreaterThan(reader.records[2].headerOffset, 0xFFFF_FFFF)
        for record in reader.records {
            XCTAssertEqual(record.dataOffset! % 64, 0, record.name)
            guard record.size > 0 else { continue }
            let tail = ZerosWithTailProducer.tail
            let end = try reader.read(record, offset: record.size - UInt64(tail.count), count: tail.count)
            XCTAssertEqual(end, tail, record.name)
            if record.size > UInt64(tail.count) {
                XCTAssertEqual(try reader.read(record, offset: 0, count: 1), [0], record.name)
            }
        }
        let start = Date()
        try reader.verifyCRC(reader.records[3])
        print("verified CRC of \(reader.records[3].size) bytes in \(Date().timeIntervalSince(start)) s")
    }
}
