import Foundation
import TestSupport
import XCTest

/// safetensors through the command line: `--format`, the OUTPUT extension, inspect, verify and batch mode.
final class SafetensorsCommandTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }

    private func firstBytes(_ path: String) throws -> [UInt8] {
        Array(try XCTUnwrap(FileManager.default.contents(atPath: path)).prefix(9))
    }

    func testOutputFormatFromExtensionOrFlag() throws {
        let byName = try InProcessTool.run([
            Fixtures.path("train_checkpoint.pth"), path("m.safetensors"), "--report", path("r.json"),
        ])
        XCTAssertEqual(byName.status, 0, byName.stderr)
        XCTAssertEqual(try firstBytes(path("m.safetensors")).last, UInt8(ascii: "{"))
        XCTAssertTrue(byName.stdout.contains("warning: safetensors holds one state dict: wrote 'model'"), byName.stdout)
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("r.json")))) as? [String: Any])
        let warnings = try XCTUnwrap(report["warnings"] as? [String])
        XCTAssertTrue(warnings.contains { $0.contains("not kept") && $0.contains("config.pretrained (None)") }, "\(warnings)")
        let byFlag = try InProcessTool.run([
            SafetensorsFacts.path("tiny_sd.safetensors"), path("m.pth"), "--format", "safetensors", "-q",
        ])
        XCTAssertEqual(byFlag.status, 0, byFlag.stderr)
        XCTAssertEqual(try firstBytes(path("m.pth")).last, UInt8(ascii: "{"))
        let zip = try InProcessTool.run([
            SafetensorsFacts.path("tiny_sd.safetensors"), path("z.safetensors"), "--format", "zip", "-q",
        ])
        XCTAssertEqual(zip.status, 0, zip.stderr)
        XCTAssertEqual(Array(try firstBytes(path("z.safetensors")).prefix(2)), Array("PK".utf8))
    }

    func testUnknownFormatIsAUsageError() throws {
        let outcome = try InProcessTool.run([Fixtures.path("tiny_sd.pth"), path("x.pth"), "--format", "onnx"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("--format must be zip or safetensors"), outcome.stderr)
    }

    func testBadSafetensorsInputExitsThreeWithOneLine() throws {
        let input = SafetensorsFacts.path("bad/overlap.safetensors")
        let outcome = try InProcessTool.run([input, path("x.safetensors")])
        XCTAssertEqual(outcome.status, 3)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("tensors 'a' and 'b' overlap"), outcome.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testInspectShowsTheHeaderAndMetadata() throws {
        let text = try InProcessTool.run(["inspect", SafetensorsFacts.path("handwritten.safetensors")])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("format      safetensors, header 248 bytes, data at byte 256"), text.stdout)
        XCTAssertTrue(text.stdout.contains("__metadata__\n  note   line break \"quoted\" 😀\n  epoch  3"), text.stdout)
        XCTAssertFalse(text.stdout.contains("globals referenced"), text.stdout)
        let json = try InProcessTool.run(["inspect", SafetensorsFacts.path("handwritten.safetensors"), "--json"])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let format = try XCTUnwrap(object["format"] as? [String: Any])
        XCTAssertEqual(format["kind"] as? String, "safetensors")
        let safetensors = try XCTUnwrap(format["safetensors"] as? [String: Any])
        XCTAssertEqual(safetensors["metadata"] as? [String: String], ["note": "line\nbreak \"quoted\" 😀", "epoch": "3"])
        XCTAssertEqual((safetensors["tensors"] as? [Any])?.count, 2)
    }

    func testVerifyAcceptsMixedPairs() throws {
        XCTAssertEqual(try InProcessTool.run([Fixtures.path("train_checkpoint.pth"), path("m.safetensors"), "-q"]).status, 0)
        let outcome = try InProcessTool.run(["verify", Fixtures.path("train_checkpoint.pth"), path("m.safetensors")])
        XCTAssertEqual(outcome.status, 0, outcome.stdout + outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("model.stem"), outcome.stdout)
        let reverse = try InProcessTool.run([
            "verify", SafetensorsFacts.path("tiny_sd.safetensors"), Fixtures.path("tiny_sd.expected.pth"),
        ])
        XCTAssertEqual(reverse.status, 0, reverse.stdout + reverse.stderr)
    }

    func testBatchModeUsesTheFormatsExtension() throws {
        let folder = path("in")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path("out"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SafetensorsFacts.path("tiny_sd.safetensors"), toPath: folder + "/a.safetensors")
        try FileManager.default.copyItem(atPath: Fixtures.path("zero_dce.pth"), toPath: folder + "/b.pth")
        let outcome = try InProcessTool.run(["merge", folder, "--out-dir", path("out"), "--format", "safetensors", "-q"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: path("out")).sorted(), ["a.safetensors", "b.safetensors"])
    }
}
