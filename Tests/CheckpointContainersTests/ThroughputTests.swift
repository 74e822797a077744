import Foundation
import XCTest

@testable import CheckpointContainers

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

/// Measured figures (printed): writing a 512 MiB archive of 8 records against `cp` of the result,
/// CRC-32 in memory per engine, and rewriting every record of a real checkpoint
/// (`MERGE_DACONV_BENCH_CHECKPOINT`) against `cp` of it. Runs only with `MERGE_DACONV_BENCHMARKS=1`;
/// meaningful in a release build (`swift test -c release -Xswiftc -enable-testing --filter Throughput`).
/// Every timed write starts after `sync`, so one run's dirty pages do not slow the next.
final class ThroughputTests: XCTestCase {
    private static let chunk = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["MERGE_DACONV_BENCHMARKS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_BENCHMARKS=1 to measure throughput")
        }
    }

    func testWriteOf512MiBAgainstCopy() throws {
        let directory = try TemporaryDirectory(self)
        var best = (write: Double.infinity, copy: Double.infinity)
        for round in 0..<3 {
            let path = directory.path("bench-\(round).pth")
            let writer = try ZipArchiveWriter(path: path)
            for index in 0..<8 {  // 8 × 16 × 4 MiB = 512 MiB
                try writer.addStored(
                    name: "bench/data/\(index)", size: UInt64(Self.chunk.count * 16),
                    producer: RepeatingProducer(chunk: Self.chunk, repeats: 16))
            }
            best.write = min(best.write, try seconds { try writer.finish() })
            best.copy = min(best.copy, try seconds { try runCopy(from: path, to: path + ".copy") })
            XCTAssertEqual(try ZipArchiveReader(path: path).records.count, 8)
            try FileManager.default.removeItem(atPath: path + ".copy")
        }
        print(
            String(
                format: "512 MiB archive of 8 records: write %.3f s, cp %.3f s (best of 3; ratio %.2f)",
                best.write, best.copy, best.write / best.copy))
    }

    func testCRC32InMemoryPerEngine() throws {
        let bytes = (0..<(256 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 >> 3) }
        for engine in CRC32Engine.available where engine != .kernel(.table) {
            var time = Double.infinity
            for _ in 0..<3 { time = min(time, try seconds { _ = engine.checksum(bytes[...], initial: 0) }) }
            print(String(format: "CRC-32 of 256 MiB, one core, %@: %.2f GB/s", engine.name, Double(bytes.count) / time / 1e9))
        }
        let time = try seconds { _ = CRC32.checksum(bytes) }
        print(String(format: "CRC-32 of 256 MiB, all cores: %.2f GB/s", Double(bytes.count) / time / 1e9))
    }

    func testRewriteOfACheckpointAgainstCopy() throws {
        guard let source = ProcessInfo.processInfo.environment["MERGE_DACONV_BENCH_CHECKPOINT"] else {
            throw XCTSkip("set MERGE_DACONV_BENCH_CHECKPOINT to a large checkpoint to rewrite")
        }
        let directory = try TemporaryDirectory(self)
        var best = (chunks: Double.infinity, filled: Double.infinity, copy: Double.infinity)
        for round in 0..<3 {
            let copy = directory.path("copy-\(round).pth")
            best.copy = min(best.copy, try seconds { try runCopy(from: source, to: copy) })
            best.chunks = min(
                best.chunks,
                try seconds {
                    try rewrite(try ZipArchiveReader(path: source), to: directory.path("chunks-\(round).pth"))
                })
            best.filled = min(
                best.filled,
                try seconds {
                    try rewrite(try ZipArchiveReader(path: source), to: directory.path("filled-\(round).pth"), filling: true)
                })
            XCTAssertEqual(try FileReader(path: directory.path("filled-\(round).pth")).size, try FileReader(path: source).size)
            print(String(format: "round %d: cp %.3f, chunks %.3f, filled %.3f", round, best.copy, best.chunks, best.filled))
            for name in ["copy", "chunks", "filled"] {
                try FileManager.default.removeItem(atPath: directory.path("\(name)-\(round).pth"))
            }
        }
        print(
            String(
                format: "rewrite of %@: cp %.3f s, chunks %.3f s (%.2fx), filled %.3f s (%.2fx)", source,
                best.copy, best.chunks, best.chunks / best.copy, best.filled, best.filled / best.copy))
    }

    /// Wall time of `body`, after `sync` so earlier runs' dirty pages are on disk.
    private func seconds(_ body: () throws -> Void) throws -> Double {
        sync()
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private func runCopy(from source: String, to destination: String) throws {
        let outcome = try ExternalProgram.run("/bin/cp", [source, destination])
        XCTAssertEqual(outcome.status, 0, outcome.output)
    }
}
