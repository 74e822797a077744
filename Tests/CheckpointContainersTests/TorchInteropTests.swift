import CheckpointContainers
import Foundation
import XCTest

/// torch itself reads what the writer produces: the records of a `torch.save` file, rewritten
/// by `ZipArchiveWriter`, load with and without `mmap` (which needs the 64-byte alignment).
/// Runs only when `MERGE_DACONV_PYTHON` names a Python with torch (importing torch takes seconds).
final class TorchInteropTests: XCTestCase {
    private func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["MERGE_DACONV_PYTHON"],
              FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("set MERGE_DACONV_PYTHON to a Python with torch to run")
        }
        return python
    }

    func testTorchLoadsRewrittenCheckpoint() throws {
        let python = try python()
        let directory = try TemporaryDirectory(self)
        let source = try ZipArchiveReader(path: directory.write(FixtureArchives.torchSmall, to: "small.pth"))
        let path = directory.path("rewritten.pth")
        let writer = try ZipArchiveWriter(path: path)
        for record in source.records where !record.name.hasSuffix("format_version") && !record.name.hasSuffix("alignment") {
            try writer.addStored(name: record.name, bytes: source.readAll(record, maxSize: 1 << 20))
        }
        try writer.finish()
        let script = """
            import sys, torch
            for mmap in (False, True):
                d = torch.load(sys.argv[1], mmap=mmap)
                assert d['w'].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], d
            print('ok')
            """
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, path]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(text, "ok\n")
    }
}
