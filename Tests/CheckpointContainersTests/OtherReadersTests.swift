import CheckpointContainers
import Foundation
import XCTest

/// Readers that are not ours accept what the writer writes and find every CRC right (torch never
/// checks them): Python's `zipfile` and Info-ZIP's `unzip -t`. Skipped where they are missing.
final class OtherReadersTests: XCTestCase {
    private func sampleArchive() throws -> (String, [(String, [UInt8])]) {
        let path = try TemporaryDirectory(self).path("other-readers.pth")
        let writer = try ZipArchiveWriter(path: path)
        var records: [(String, [UInt8])] = []
        for (index, size) in [100, 0, 1, 64, 0, 70_000, 3].enumerated() {
            let name = "sample/data/\(index)"
            let bytes = PatternProducer.bytes(total: size, seed: UInt8(index))
            try writer.addStored(name: name, bytes: bytes)
            records.append((name, bytes))
        }
        try writer.finish()
        return (path, records)
    }

    func testPythonZipfileReadsEveryRecordAndItsCRC() throws {
        guard let python = ExternalProgram.find(["/usr/bin/python3", "/usr/local/bin/python3"]) else {
            throw XCTSkip("no python3")
        }
        let (path, records) = try sampleArchive()
        let script = """
            import sys, zipfile, zlib
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                for info in z.infolist():
                    data = z.read(info)
                    print(info.filename, len(data), zlib.crc32(data))
            """
        let outcome = try ExternalProgram.run(python, ["-c", script, path])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        let expected = records.map { "\($0.0) \($0.1.count) \(CRC32.checksum($0.1))" }
        XCTAssertEqual(outcome.output.split(separator: "\n").map(String.init), expected)
    }

    func testUnzipTestsTheArchiveWithoutComplaint() throws {
        guard let unzip = ExternalProgram.find(["/usr/bin/unzip", "/usr/local/bin/unzip"]) else {
            throw XCTSkip("no unzip")
        }
        let (path, records) = try sampleArchive()
        let outcome = try ExternalProgram.run(unzip, ["-t", path])
        XCTAssertEqual(outcome.status, 0, outcome.output)
        XCTAssertTrue(outcome.output.contains("No errors detected"), outcome.output)
        XCTAssertEqual(outcome.output.components(separatedBy: "OK").count - 1, records.count, outcome.output)
    }
}
