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
