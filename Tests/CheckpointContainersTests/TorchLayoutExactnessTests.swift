import CheckpointContainers
import Foundation
import TestSupport
import XCTest

/// The proof that the writer reproduces `torch.save`: every zip checkpoint among the fixtures
/// (written by torch 2.15), its records read and written again in the same order with the same
/// names, comes out identical to the byte. The records include `.data/serialization_id`, whose 40
/// digits torch derives from hashes; copying the record gives the writer the same digits.
final class TorchLayoutExactnessTests: XCTestCase {
    /// Every `.pth` fixture that is a zip archive.
    private func torchZipFixtures() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
        return try names.filter { $0.hasSuffix(".pth") }.sorted().filter { name in
            let prefix = try FileReader(path: Fixtures.path(name)).read(offset: 0, count: 4)
            return ZipArchiveReader.looksLikeZip(prefix)
        }
    }

    /// Fails with the first differing offset (not two 30 KB arrays) unless the files are equal.
    private func assertSameBytes(_ path: String, as original: String, _ label: String, line: UInt = #line) throws {
        let written = try TemporaryDirectory.contents(of: path)
        let expected = try TemporaryDirectory.contents(of: original)
        guard written != expected else { return }
        let first =
            (0..<min(written.count, expected.count)).first { written[$0] != expected[$0] } ?? min(written.count, expected.count)
        XCTFail("\(label): \(written.count) bytes against torch's \(expected.count); first difference at \(first)", line: line)
    }

    func testEveryTorchFixtureIsReproducedByteForByte() throws {
        let fixtures = try torchZipFixtures()
        XCTAssertGreaterThanOrEqual(fixtures.count, 25, "the zip fixtures went missing")
        XCTAssertTrue(fixtures.contains("dtypes.pth"), "the fixture with an empty storage record")
        let directory = try TemporaryDirectory(self)
        for name in fixtures {
            let reader = try ZipArchiveReader(path: Fixtures.path(name))
            let path = directory.path(name)
            let planned = try rewrite(reader, to: path)
            XCTAssertEqual(planned, reader.records.map { $0.dataOffset! }, "\(name): planned offsets")
            try assertSameBytes(path, as: Fixtures.path(name), name)
        }
    }

    func testStreamingInOddChunksGivesTheSameBytes() throws {
        let directory = try TemporaryDirectory(self)
        for (name, chunkSize) in [("tiny_sd.pth", 7), ("dtypes.pth", 1), ("train_checkpoint.pth", 4099)] {
            let path = directory.path("\(chunkSize)-\(name)")
            try rewrite(try ZipArchiveReader(path: Fixtures.path(name)), to: path, chunkSize: chunkSize)
            try assertSameBytes(path, as: Fixtures.path(name), "\(name) in chunks of \(chunkSize)")
        }
    }

    func testFillingTheBuffersDirectlyGivesTheSameBytes() throws {
        let directory = try TemporaryDirectory(self)
        for name in ["tiny_sd.pth", "dtypes.pth", "train_checkpoint.pth"] {
            let path = directory.path(name)
            try rewrite(try ZipArchiveReader(path: Fixtures.path(name)), to: path, filling: true)
            try assertSameBytes(path, as: Fixtures.path(name), "\(name) filled in place")
        }
    }

    func testTheEmptyRecordIsWrittenAsTorchWritesIt() throws {
        let reader = try ZipArchiveReader(path: Fixtures.path("dtypes.pth"))
        let empty = try XCTUnwrap(reader.records.first { $0.size == 0 })
        let bytes = try reader.file.read(offset: empty.headerOffset, count: 8)
        XCTAssertEqual(bytes.readLE(UInt16.self, at: 6), 0x0800, "torch's flags for an empty record")
        let next = try XCTUnwrap(reader.records.first { $0.index == empty.index + 1 })
        XCTAssertEqual(next.headerOffset, empty.dataOffset!, "no descriptor after an empty record")
    }
}
