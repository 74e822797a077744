import Foundation
import TestSupport
import XCTest

/// `merge-daconv inspect` run as a program: output checked against torch's facts, errors and exit statuses.
final class InspectCommandTests: XCTestCase {
    static let fixtures = [
        "tiny_sd", "tiny_sd_bf16", "train_checkpoint", "dataparallel_sd", "dtypes", "views", "legacy_sd",
        "whole_module", "legacy_whole_module", "cuda_location", "protocol4", "zero_dce", "no_daconv", "tied_params",
    ]

    func testJSONListsEveryTensorAndDAConvAsTorchReports() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let outcome = try ToolRunner.run(["inspect", "--json", Fixtures.path(facts.file)])
            XCTAssertEqual(outcome.status, 0, "\(name): \(outcome.stderr)")
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], name)
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
        let text = try ToolRunner.run(["inspect", path])
        XCTAssertEqual(text.status, 0, text.stderr)
        for line in ["best_psnr                 numpy.float64", "psnr_history              numpy.ndarray            float64 [3] [21.25, 23.5, 24.75]",
                     "    args.data_dir           pathlib.PosixPath        '/data/LOL/our485'", "counts                    collections.defaultdict"] {
            XCTAssertTrue(text.stdout.contains(line), "\(line) in\n\(text.stdout)")
        }
        XCTAssertTrue(text.stdout.contains("data objects (read as data, never run; merge converts them for torch.load(weights_only=True)): 10"), text.stdout)
        let json = try ToolRunner.run(["inspect", "--json", path])
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let objects = try XCTUnwrap(document["data_objects"] as? [[String: Any]])
        let history = try XCTUnwrap(objects.first { $0["path"] as? String == "psnr_history" })
        XCTAssertEqual(history["type"] as? String, "numpy.ndarray")
        XCTAssertEqual(history["dtype"] as? String, "float64")
        XCTAssertEqual(history["shape"] as? [Int], [3])
        XCTAssertEqual(history["value"] as? [Double], [21.25, 23.5, 24.75])
        XCTAssertEqual(objects.first { $0["path"] as? String == "args.seed" }?["value"] as? Int, 42)
        let audit = try ToolRunner.run(["inspect", "--audit", Fixtures.path("data_objects/numpy2_p5.pth")])
        XCTAssertEqual(audit.status, 0, audit.stdout)
        XCTAssertTrue(audit.stdout.contains("numpy._core.numeric._frombuffer      decoded as data  named, called (REDUCE)"), audit.stdout)
        XCTAssertTrue(audit.stdout.contains("verdict     no dangerous global; every global is on torch's weights-only allow-list or a data constructor"), audit.stdout)
    }

    func testTextNamesTheDAConvModulesAndTheFormat() throws {
        let outcome = try ToolRunner.run(["inspect", Fixtures.path("tiny_sd.pth")])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stdout.contains("DAConv modules: 4"), outcome.stdout)
        XCTAssertTrue(outcome.stdout.contains("archive folder 'tiny_sd'"), outcome.stdout)
        for module in ["stem", "body.0", "body.3", "down"] {
            XCTAssertNotNil(outcome.stdout.range(of: "\n  \(module) "), "\(module) in\n\(outcome.stdout)")
        }
        let legacy = try ToolRunner.run(["inspect", Fixtures.path("legacy_sd.pth")])
        XCTAssertTrue(legacy.stdout.contains("format      legacy"), legacy.stdout)
        let cuda = try ToolRunner.run(["inspect", Fixtures.path("cuda_location.pth")])
        XCTAssertTrue(cuda.stdout.contains("cuda:0"), cuda.stdout)
    }

    func testBadInputExitsThreeWithOneLineNamingTheFile() throws {
        for file in ["empty.pth", "truncated_zip.pth", "reduce_os_system.pth", "short_storage.pth", "random_bytes.pth"] {
            let path = Fixtures.path("bad/\(file)")
            let outcome = try ToolRunner.run(["inspect", path])
            XCTAssertEqual(outcome.status, 3, file)
            XCTAssertEqual(outcome.stdout, "", file)
            XCTAssertTrue(outcome.stderr.hasPrefix("merge-daconv: \(path): "), outcome.stderr)
            XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        }
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try ToolRunner.run(["inspect"]).status, 2)
        XCTAssertEqual(try ToolRunner.run(["inspect", "--no-such-option", "x"]).status, 2)
        XCTAssertEqual(try ToolRunner.run(["--help"]).status, 0)
    }
}
