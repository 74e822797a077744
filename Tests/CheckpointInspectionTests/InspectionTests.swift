import CheckpointInspection
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// `inspect` and `inspect --audit` in-process: what they report, checked against the facts torch wrote beside
/// each fixture. (The command's exit statuses and error lines are tested on the program, in
/// MergeDAConvCommandsTests.)
final class InspectionTests: XCTestCase {
    static let fixtures = [
        "tiny_sd", "tiny_sd_bf16", "train_checkpoint", "dataparallel_sd", "dtypes", "views", "legacy_sd",
        "whole_module", "legacy_whole_module", "cuda_location", "protocol4", "zero_dce", "no_daconv", "tied_params",
    ]

    /// The JSON a report prints, parsed back as a reader of `inspect --json` would.
    private func document(_ json: JSONValue) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.serialized().utf8)) as? [String: Any])
    }

    func testJSONListsEveryTensorAndDAConvAsTorchReports() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let json = try document(CheckpointInspection.inspect(Fixtures.path(facts.file)).json())
            let tensors = try XCTUnwrap(json["tensors"] as? [[String: Any]], name)
            XCTAssertEqual(tensors.compactMap { $0["name"] as? String }, facts.tensors.map(\.name), name)
            XCTAssertEqual(tensors.compactMap { $0["dtype"] as? String }, facts.tensors.map(\.dtype), name)
            XCTAssertEqual(tensors.compactMap { $0["shape"] as? [Int] }, facts.tensors.map(\.shape), name)
            XCTAssertEqual(tensors.compactMap { $0["strides"] as? [Int] }, facts.tensors.map(\.stride), name)
            XCTAssertEqual(tensors.compactMap { $0["storage_offset"] as? Int }, facts.tensors.map(\.storage_offset), name)
            XCTAssertEqual(tensors.compactMap { $0["device"] as? String }, facts.tensors.map(\.location), name)
            let daconv = try XCTUnwrap(json["daconv"] as? [[String: Any]], name)
            XCTAssertEqual(daconv.compactMap { $0["module"] as? String }, facts.daconv.map(\.module), name)
            XCTAssertEqual(daconv.compactMap { $0["kernel"] as? [Int] }, facts.daconv.map(\.kernel), name)
        }
    }

    /// numpy values, paths, namespaces and defaultdicts appear with type, dtype, shape and value (the research
    /// checkpoint's facts were written by torch and numpy); the audit calls numpy's constructors decoded as data.
    func testDataObjectsAreShownWithTheirTypeDtypeShapeAndValue() throws {
        let path = Fixtures.path("data_objects/research.pth")
        let inspection = try CheckpointInspection.inspect(path)
        let text = inspection.text()
        for line in [
            "best_psnr                 numpy.float64",
            "psnr_history              numpy.ndarray            float64 [3] [21.25, 23.5, 24.75]",
            "    args.data_dir           pathlib.PosixPath        '/data/LOL/our485'",
            "counts                    collections.defaultdict",
        ] {
            XCTAssertTrue(text.contains(line), "\(line) in\n\(text)")
        }
        XCTAssertTrue(
            text.contains("data objects (read as data, never run; merge converts them for torch.load(weights_only=True)): 10"),
            text)
        let objects = try XCTUnwrap(try document(inspection.json())["data_objects"] as? [[String: Any]])
        let history = try XCTUnwrap(objects.first { $0["path"] as? String == "psnr_history" })
        XCTAssertEqual(history["type"] as? String, "numpy.ndarray")
        XCTAssertEqual(history["dtype"] as? String, "float64")
        XCTAssertEqual(history["shape"] as? [Int], [3])
        XCTAssertEqual(history["value"] as? [Double], [21.25, 23.5, 24.75])
        XCTAssertEqual(objects.first { $0["path"] as? String == "args.seed" }?["value"] as? Int, 42)
        let audit = try CheckpointAudit.audit(Fixtures.path("data_objects/numpy2_p5.pth"))
        XCTAssertTrue(audit.dangerous.isEmpty && audit.isComplete)
        XCTAssertTrue(
            audit.text().contains("numpy._core.numeric._frombuffer      decoded as data  named, called (REDUCE)"), audit.text())
        XCTAssertTrue(
            audit.text().contains(
                "verdict     no dangerous global; every global is on torch's weights-only allow-list or a data constructor"),
            audit.text())
    }

    func testTextNamesTheDAConvModulesAndTheFormat() throws {
        let text = try CheckpointInspection.inspect(Fixtures.path("tiny_sd.pth")).text()
        XCTAssertTrue(text.contains("DAConv modules: 4"), text)
        XCTAssertTrue(text.contains("archive folder 'tiny_sd'"), text)
        for module in ["stem", "body.0", "body.3", "down"] {
            XCTAssertNotNil(text.range(of: "\n  \(module) "), "\(module) in\n\(text)")
        }
        XCTAssertTrue(try CheckpointInspection.inspect(Fixtures.path("legacy_sd.pth")).text().contains("format      legacy"))
        XCTAssertTrue(try CheckpointInspection.inspect(Fixtures.path("cuda_location.pth")).text().contains("cuda:0"))
    }

    func testTheAuditNamesADangerousGlobalAndItsVerdict() throws {
        let audit = try CheckpointAudit.audit(Fixtures.path("hostile/newobj_subprocess_popen.pth"))
        XCTAssertEqual(audit.dangerous.map(\.global.qualifiedName), ["subprocess.Popen"])
        XCTAssertEqual(audit.verdict, "dangerous")
        let row = audit.text().split(separator: "\n").first { $0.hasPrefix("  subprocess.Popen ") }
        XCTAssertEqual(row?.split(separator: " ").dropFirst().first, "dangerous", audit.text())
        let json = try document(audit.json())
        XCTAssertEqual(json["verdict"] as? String, "dangerous")
    }
}
