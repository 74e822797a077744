import CheckpointContainers
import Foundation
import XCTest

/// Serves one prepared buffer `repeats` times.
final class RepeatingProducer: ZipRecordProducer {
    private let chunk: [UInt8]
    private var remaining: Int

    init(chunk: [UInt8], repeats: Int) {
        self.chunk = chunk
        self.remaining = repeats
    }

    func nextChunk() throws -> [UInt8]? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        return chunk
    }
}

/// Measured figures (printed): writing a 512 MiB archive of 8 records against `cp` of the
/// result, verifying its CRCs, and CRC-32 in memory. Runs only with `MERGE_DACONV_BENCHMARKS=1`;
/// it still asserts that what it wrote reads back.
final class ThroughputTests: XCTestCase {
    private static let recordCount = 8
    private static let chunk = (0 ..< (4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
    private static let chunksPerRecord = 16  // 8 × 16 × 4 MiB = 512 MiB

    private func requireBenchmarks() throws {
        guard ProcessInfo.processInfo.environment["MERGE_DACONV_BENCHMARKS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_BENCHMARKS=1 to measure throughput")
        }
    }

    func testWriteVerifyAndCopyOf512MiB() throws {
        try requireBenchmarks()
        let directory = try TemporaryDirectory(self)
        let path = directory.path("bench.pth")
        let writer = try ZipArchiveWriter(path: path)
        let recordSize = UInt64(Self.chunk.count * Self.chunksPerRecord)
        for index in 0 ..< Self.recordCount {
            let producer = RepeatingProducer(chunk: Self.chunk, repeats: Self.chunksPerRecord)
            try writer.addStored(name: "bench/data/\(index)", size: recordSize, producer: producer)
        }
        let write = try seconds { try writer.finish() }
        let reader = try ZipArchiveReader(path: path)
        XCTAssertEqual(reader.records.count, Self.recordCount)
        let verify = try seconds { for record in reader.records { try reader.verifyCRC(record) } }
        let copy = try seconds { try runCopy(from: path, to: directory.path("copy.pth")) }
        let gib = Double(reader.file.size) / Double(1 << 30)
        print(String(format: "512 MiB archive: write %.3f s (%.2f GiB/s), cp %.3f s (%.2f GiB/s), verifyCRC %.3f s (%.2f GiB/s)",
                     write, gib / write, copy, gib / copy, verify, gib / verify))
    }

    func testCRC32InMemory() throws {
        try requireBenchmarks()
        let bytes = [UInt8](repeating: 0xA5, count: 256 << 20)
        var crc: UInt32 = 0
        let time = try seconds { crc = CRC32.checksum(bytes) }
        XCTAssertEqual(crc, CRC32.checksum(bytes[...]))
        print(String(format: "CRC32 of 256 MiB in memory: %.3f s (%.2f GB/s)", time, Double(bytes.count) / time / 1e9))
    }

    private func seconds(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func runCopy(from source: String, to destination: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cp")
        process.arguments = [source, destination]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
