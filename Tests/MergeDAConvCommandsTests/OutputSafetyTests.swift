import CheckpointContainers
import Foundation
import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// What a merge may do to files: the destination name only ever holds a complete checkpoint (even when the
/// process is killed mid-write), the input is never modified, and an output that is the input is refused.
final class OutputSafetyTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.scratchDirectory("merge-daconv-output-safety")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// tiny_sd with one more tensor of `megabytes` MiB, so writing the merge takes a while.
    func largeCheckpoint(megabytes: Int) throws -> String {
        var editing = try CheckpointEditing(Fixtures.path("tiny_sd.pth"))
        let count = megabytes << 18
        let tensor = editing.draft.addInlineTensor(
            dtype: .float32, shape: [count], strides: [1], bytes: [UInt8](repeating: 0x3F, count: count * 4))
        let root = try XCTUnwrap(editing.draft.root.nodeID)
        editing.draft.graph[root].entries.append(PickleDictEntry(key: .string("padding"), value: tensor))
        let path = folder.appendingPathComponent("large.pth").path
        try editing.write(to: path)
        return path
    }

    /// Size, modification time and CRC-32 of a file: enough to tell that nobody wrote to it.
    func fingerprint(_ path: String) throws -> String {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        return "\(attributes[.size]!) \(attributes[.modificationDate]!) \(CRC32.checksum(bytes))"
    }

    /// SIGKILL while the output is being written: no file under the destination name, the input untouched,
    /// and a second merge afterwards succeeds.
    func testKilledMergeLeavesNoPartialFileUnderTheDestinationName() throws {
        let input = try largeCheckpoint(megabytes: 192)
        let before = try fingerprint(input)
        let output = folder.appendingPathComponent("merged.pth").path
        let out = folder.appendingPathComponent("stdout").path
        let err = folder.appendingPathComponent("stderr").path
        let pid = try MeasuredToolRun.spawn([ToolRunner.executable.path, input, output, "-q"], stdout: out, stderr: err)
        let temporary = try waitForGrowingTemporary(beside: output, atLeast: 8 << 20, pid: pid)
        MeasuredToolRun.kill(pid, signal: SIGKILL)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a partial output carries the destination name")
        XCTAssertTrue(temporary.hasPrefix(".merged.pth.merge-daconv-") && temporary.hasSuffix(".tmp"), temporary)
        XCTAssertEqual(try fingerprint(input), before, "the input was modified")
        let again = try ToolRunner.run([input, output, "-q"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertNoThrow(try CheckpointReader.open(output).verifyStorageChecksums())
    }

    /// Ctrl-C, a CI job's SIGTERM and a closed terminal's SIGHUP end the merge as those signals end any
    /// program (the parent sees the signal), but first remove the half-written temporary file: nothing is left
    /// but the input. The file failed to go before the tool handled these signals.
    func testSignalsEndingTheMergeRemoveItsTemporaryFile() throws {
        let input = try largeCheckpoint(megabytes: 192)
        let before = try fingerprint(input)
        let logs = [folder.appendingPathComponent("stdout").path, folder.appendingPathComponent("stderr").path]
        for signal in [SIGTERM, SIGINT, SIGHUP] {
            let output = folder.appendingPathComponent("merged.pth").path
            let pid = try MeasuredToolRun.spawn(
                [ToolRunner.executable.path, input, output, "-q"], stdout: logs[0], stderr: logs[1])
            _ = try waitForGrowingTemporary(beside: output, atLeast: 8 << 20, pid: pid)
            XCTAssertEqual(MeasuredToolRun.kill(pid, signal: signal), signal, "signal \(signal) ends the tool")
            XCTAssertEqual(
                try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
                ["large.pth", "stderr", "stdout"], "signal \(signal) leaves only the input")
        }
        XCTAssertEqual(try fingerprint(input), before, "the input was modified")
    }

    /// In batch mode every merge in flight has its temporary file, and SIGTERM removes them all.
    func testSigtermRemovesTheTemporaryFilesOfABatch() throws {
        let input = try largeCheckpoint(megabytes: 192)
        let inputs = folder.appendingPathComponent("in")
        let outputs = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        for name in ["a.pth", "b.pth"] {
            try FileManager.default.copyItem(atPath: input, toPath: inputs.appendingPathComponent(name).path)
        }
        let pid = try MeasuredToolRun.spawn(
            [ToolRunner.executable.path, "merge", "-q", inputs.path, "--out-dir", outputs.path, "--jobs", "2"],
            stdout: folder.appendingPathComponent("stdout").path, stderr: folder.appendingPathComponent("stderr").path)
        let deadline = Date().addingTimeInterval(60)
        while try FileManager.default.contentsOfDirectory(atPath: outputs.path).filter({ $0.hasSuffix(".tmp") }).count < 2,
            Date() < deadline
        {
            usleep(1_000)
        }
        XCTAssertEqual(MeasuredToolRun.kill(pid, signal: SIGTERM), SIGTERM)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: outputs.path), [], "nothing is left in the output folder")
    }

    /// Killed at any moment, the destination is absent or a complete, readable checkpoint.
    /// SIGKILL at six moments of a 64 MB merge: a merge killed before it named its output leaves no file under
    /// the destination's name, one that finished (or was killed after the rename) leaves a complete, checked
    /// file. The first kill lands mid-merge, so the test always sees a killed merge.
    func testDestinationIsAbsentOrCompleteWhenEverTheMergeIsKilled() throws {
        let input = try largeCheckpoint(megabytes: 64)
        var killedMidMerge = 0
        for delay in [0.05, 0.2, 0.4, 0.8, 1.6, 3.2] {
            let output = folder.appendingPathComponent("merged-\(delay).pth").path
            let pid = try MeasuredToolRun.spawn(
                [ToolRunner.executable.path, input, output, "-q"],
                stdout: folder.appendingPathComponent("stdout").path, stderr: folder.appendingPathComponent("stderr").path)
            usleep(UInt32(delay * 1_000_000))
            let ended = MeasuredToolRun.kill(pid, signal: SIGKILL)
            let exists = FileManager.default.fileExists(atPath: output)
            switch ended {
            case SIGKILL?:
                if exists {
                    XCTAssertNoThrow(
                        try CheckpointReader.open(output).verifyStorageChecksums(), "killed after the rename, \(delay) s")
                } else {
                    killedMidMerge += 1
                }
            case nil:
                XCTAssertTrue(exists, "the merge exited before the kill at \(delay) s but left no output")
                XCTAssertNoThrow(try CheckpointReader.open(output).verifyStorageChecksums(), "finished before \(delay) s")
            case let other?:
                XCTFail("the merge ended by signal \(other), not SIGKILL, at \(delay) s")
            }
        }
        XCTAssertGreaterThan(killedMidMerge, 0, "no kill landed before the output was named")
    }

    func testOutputThatIsTheInputIsRefused() throws {
        let input = folder.appendingPathComponent("model.pth").path
        try FileManager.default.copyItem(atPath: Fixtures.path("tiny_sd.pth"), toPath: input)
        let before = try fingerprint(input)
        let symlink = folder.appendingPathComponent("symlink.pth").path
        let hardLink = folder.appendingPathComponent("hardlink.pth").path
        try FileManager.default.createSymbolicLink(atPath: symlink, withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: hardLink)
        for output in [input, symlink, hardLink, folder.path + "/./model.pth"] {
            for force in [false, true] {
                let outcome = try ToolRunner.run([input, output] + (force ? ["--force"] : []))
                XCTAssertEqual(outcome.status, 4, "\(output) force \(force): \(outcome.stderr)")
                XCTAssertTrue(outcome.stderr.contains("it is the input file"), outcome.stderr)
            }
        }
        XCTAssertEqual(try fingerprint(input), before)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted(),
            ["hardlink.pth", "model.pth", "symlink.pth"], "no temporary file is left")
    }

    /// With --force, a refused input does not cost the existing output: it stays as it was.
    func testRefusedMergeKeepsAnExistingOutput() throws {
        let output = folder.appendingPathComponent("merged.pth").path
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: output))
        let outcome = try ToolRunner.run([Fixtures.path("hostile/newobj_subprocess_popen.pth"), output, "--force"])
        XCTAssertEqual(outcome.status, 3, outcome.stderr)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "keep me")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["merged.pth"])
    }

    /// The name of the hidden temporary file beside `output` once it holds at least `bytes` bytes.
    private func waitForGrowingTemporary(beside output: String, atLeast bytes: Int, pid: pid_t) throws -> String {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".tmp") {
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int)
                    ?? 0
                if size >= bytes { return name }
            }
            usleep(1_000)
        }
        MeasuredToolRun.kill(pid, signal: SIGKILL)
        XCTFail("no temporary file of \(bytes) bytes appeared within a minute")
        throw CocoaError(.fileNoSuchFile)
    }
}
