import CheckpointContainers
import Foundation
import TestSupport
import XCTest

/// torch itself reads what the writer produces and writes what the writer reproduces. Runs only
/// when `MERGE_DACONV_PYTHON` names a Python with torch (importing torch takes seconds).
final class TorchInteropTests: XCTestCase {
    private func python() throws -> String {
        guard let python = ProcessInfo.processInfo.environment["MERGE_DACONV_PYTHON"],
            FileManager.default.isExecutableFile(atPath: python)
        else {
            throw XCTSkip("set MERGE_DACONV_PYTHON to a Python with torch to run")
        }
        return python
    }

    /// Runs a Python script with arguments; returns its standard output, failing on a non-zero exit.
    private func run(_ python: String, _ script: String, _ arguments: [String], line: UInt = #line) throws -> String {
        let outcome = try ExternalProgram.run(python, ["-c", script] + arguments)
        XCTAssertEqual(outcome.status, 0, outcome.output, line: line)
        return outcome.output
    }

    /// The whole torch layout, `.format_version` included: torch loads the rewrite in every mode,
    /// including those that compute storage offsets from the layout instead of reading headers.
    func testTorchLoadsARewrittenCheckpointInEveryMode() throws {
        let python = try python()
        let path = try TemporaryDirectory(self).path("rewritten.pth")
        try rewrite(try ZipArchiveReader(path: Fixtures.path("train_checkpoint.pth")), to: path)
        let script = """
            import sys, torch
            from torch.utils.serialization import config
            def flat(x, out, key=''):
                if isinstance(x, torch.Tensor): out[key] = x
                elif isinstance(x, dict): [flat(v, out, f'{key}/{k}') for k, v in x.items()]
                elif isinstance(x, (list, tuple)): [flat(v, out, f'{key}/{i}') for i, v in enumerate(x)]
                return out
            reference = flat(torch.load(sys.argv[1]), {})
            for mmap, computed in ((False, False), (True, False), (True, True)):
                config.load.calculate_storage_offsets = computed
                loaded = flat(torch.load(sys.argv[2], mmap=mmap), {})
                assert loaded.keys() == reference.keys()
                for k in reference: assert torch.equal(loaded[k], reference[k]), (k, mmap, computed)
            meta = flat(torch.load(sys.argv[2], map_location='meta'), {})
            assert {k: v.shape for k, v in meta.items()} == {k: v.shape for k, v in reference.items()}
            print('ok', len(reference))
            """
        let output = try run(python, script, [Fixtures.path("train_checkpoint.pth"), path])
        XCTAssertTrue(output.hasPrefix("ok "), output)
    }

    /// torch's configurable alignment: files saved with 4096 and with 1 (padding field of length 0)
    /// and an empty storage are reproduced byte for byte.
    func testOtherAlignmentsAreReproducedByteForByte() throws {
        let python = try python()
        let directory = try TemporaryDirectory(self)
        let script = """
            import sys, torch
            from torch.utils.serialization import config
            config.save.storage_alignment = int(sys.argv[2])
            torch.save({'w': torch.arange(10.0), 'empty': torch.zeros(0, 3), 'b': torch.ones(3, dtype=torch.bool)}, sys.argv[1])
            """
        for alignment in [4096, 1] {
            let original = directory.path("torch-\(alignment).pth")
            let copy = directory.path("ours-\(alignment).pth")
            _ = try run(python, script, [original, String(alignment)])
            try rewrite(try ZipArchiveReader(path: original), to: copy)
            XCTAssertEqual(
                try TemporaryDirectory.contents(of: copy), try TemporaryDirectory.contents(of: original),
                "alignment \(alignment)")
        }
    }
}
