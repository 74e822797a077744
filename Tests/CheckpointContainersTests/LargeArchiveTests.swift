import Foundation
import XCTest

@testable import CheckpointContainers

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

/// zip64 for real: records of 0xFFFFFFFF bytes and beyond 4 GiB, headers beyond 4 GiB. Writes
/// about 8.6 GB, so it runs only with `MERGE_DACONV_LARGE_TESTS=1` (`MERGE_DACONV_LARGE_DIR`
/// chooses the disk); the comparison with torch also needs `MERGE_DACONV_PYTHON`.
final class LargeArchiveTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        let environment = ProcessInfo.processInfo.environment
        guard environment["MERGE_DACONV_LARGE_TESTS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_LARGE_TESTS=1 to write zip64 archives of 4 to 9 GB")
        }
        folder = environment["MERGE_DACONV_LARGE_DIR"] ?? NSTemporaryDirectory()
    }

    private func scratchPath(_ label: String) -> String {
        let path = (folder as NSString).appendingPathComponent("\(label)-\(UUID().uuidString).pth")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testZip64RecordsAndOffsetsReadBackHereAndInPython() throws {
        let path = scratchPath("zip64")
        let sizes: [(String, UInt64)] = [
            ("big/data.pkl", 100), ("big/data/0", 0xFFFF_FFFF), ("big/data/1", 1000),
            ("big/data/2", 0x1_0000_0000 + 77), ("big/data/3", 0), ("big/version", 20),
        ]
        let writer = try ZipArchiveWriter(path: path)
        var planned: [UInt64] = []
        for (name, size) in sizes {
            let producer: ZipRecordProducer =
                size == 0 ? PatternProducer(total: 0, chunkSize: 1) : ZerosWithTailProducer(size: size)
            planned.append(try writer.addStored(name: name, size: size, producer: producer))
        }
        let start = Date()
        try writer.finish()
        print("wrote \(sizes.map(\.1).reduce(0, +)) bytes in \(Date().timeIntervalSince(start)) s")
        try checkReadBack(path: path, sizes: sizes, planned: planned)
        try checkWithPython(path: path, sizes: sizes)
    }

    private func checkReadBack(path: String, sizes: [(String, UInt64)], planned: [UInt64]) throws {
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.map(\.name), sizes.map(\.0))
        XCTAssertEqual(reader.records.map(\.size), sizes.map(\.1))
        XCTAssertEqual(reader.records.map { $0.dataOffset! }, planned)
        XCTAssertGreaterThan(reader.records[2].headerOffset, 0xFFFF_FFFF)
        for record in reader.records {
            XCTAssertEqual(record.dataOffset! % 64, 0, record.name)
            guard record.size > 0 else { continue }
            let tail = ZerosWithTailProducer.tail
            XCTAssertEqual(try reader.read(record, offset: record.size - UInt64(tail.count), count: tail.count), tail)
            if record.size > UInt64(tail.count) { XCTAssertEqual(try reader.read(record, offset: 0, count: 1), [0]) }
        }
        let start = Date()
        for record in reader.records { try reader.verifyCRC(record) }
        print("verified every CRC in \(Date().timeIntervalSince(start)) s")
    }

    private func checkWithPython(path: String, sizes: [(String, UInt64)]) throws {
        guard let python = ExternalProgram.find(["/usr/bin/python3", "/usr/local/bin/python3"]) else { return }
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None  # reads every byte and checks every CRC
                for info in z.infolist(): print(info.filename, info.file_size)
            """
        let outcome = try ExternalProgram.run(python, ["-c", script, path])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertEqual(outcome.output, sizes.map { "\($0.0) \($0.1)\n" }.joined())
    }

    /// torch's own zip64 output: a 0xFFFFFFFF-byte storage, then storages whose headers lie beyond
    /// 4 GiB, and an empty one, rewritten record by record, are identical to the byte.
    func testTorchZip64CheckpointIsReproducedByteForByte() throws {
        guard let python = ProcessInfo.processInfo.environment["MERGE_DACONV_PYTHON"] else {
            throw XCTSkip("set MERGE_DACONV_PYTHON to a Python with torch to run")
        }
        let original = scratchPath("torch-zip64")
        let copy = scratchPath("ours-zip64")
        let script = """
            import sys, torch
            big = torch.zeros(0xFFFFFFFF, dtype=torch.uint8); big[-3:] = 7
            torch.save({'big': big, 'after': torch.arange(5.0), 'empty': torch.zeros(0), 'last': torch.ones(2)}, sys.argv[1])
            """
        let outcome = try ExternalProgram.run(python, ["-c", script, original])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        let reader = try ZipArchiveReader(path: original)
        XCTAssertTrue(reader.records.contains { $0.size == 0xFFFF_FFFF })
        XCTAssertTrue(reader.records.contains { $0.headerOffset > 0xFFFF_FFFF })
        let planned = try rewrite(reader, to: copy, filling: true)
        XCTAssertEqual(planned, reader.records.map { $0.dataOffset! })
        let compare = try ExternalProgram.run("/usr/bin/cmp", [original, copy])
        XCTAssertEqual(compare.status, 0, compare.output)
    }
}
