import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// Modules that cannot be folded exactly are refused by name, and a refused or failed merge leaves no file.
final class MergeRefusalTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// tiny_sd.pth with its root dict edited, written by our writer.
    private func edited(_ name: String, _ edit: (inout CheckpointDraft, PickleNodeID) throws -> Void) throws -> String {
        let draft = CheckpointDraft(copying: try CheckpointReader.open(Fixtures.path("\(name).pth")))
        var copy = draft
        try edit(&copy, XCTUnwrap(copy.root.nodeID))
        let path = scratch.appendingPathComponent("edited-\(UUID().uuidString).pth").path
        _ = try CheckpointWriter.write(copy, to: path)
        return path
    }

    private func replace(_ key: String, shape: [Int], in draft: inout CheckpointDraft, root: PickleNodeID) {
        let count = shape.reduce(1, *)
        let tensor = draft.addInlineTensor(
            dtype: .float32, shape: shape, strides: TorchTensor.contiguousStrides(for: shape),
            bytes: [UInt8](repeating: 0, count: count * 4))
        let index = draft.graph[root].entries.firstIndex { $0.key == .string(key) }!
        draft.graph[root].entries[index].value = tensor
    }

    private func assertRefused(
        _ input: String, module: String, because words: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let output = scratch.appendingPathComponent("out.pth").path
        XCTAssertThrowsError(try MergeRun.run(MergeRequest(input: input, output: output)), file: file, line: line) { error in
            guard case .unfoldable(input, let problem, _)? = error as? MergeError else {
                return XCTFail("unexpected \(error)", file: file, line: line)
            }
            XCTAssertEqual(problem.module, module, file: file, line: line)
            XCTAssertTrue(problem.reason.contains(words), problem.reason, file: file, line: line)
            XCTAssertTrue(
                "\(error)".hasPrefix("\(input): DAConv module \(module) cannot be folded"), "\(error)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output file", file: file, line: line)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }, [],
            "no temporary file left", file: file, line: line)
    }

    func testBranchShapesThatDifferAreRefused() throws {
        let input = try edited("tiny_sd") { draft, root in
            replace("stem.cdc.weight", shape: [8, 3, 5, 5], in: &draft, root: root)
        }
        assertRefused(input, module: "stem", because: "branch shapes differ")
    }

    func testEvenKernelIsRefused() throws {
        let input = try edited("tiny_sd") { draft, root in
            replace("stem.cac.weight", shape: [8, 3, 2, 2], in: &draft, root: root)
            replace("stem.cdc.weight", shape: [8, 3, 2, 2], in: &draft, root: root)
        }
        assertRefused(input, module: "stem", because: "even")
    }

    func testMissingTensorIsRefused() throws {
        let input = try edited("tiny_sd") { draft, root in
            draft.graph[root].entries.removeAll { $0.key == .string("down.cdc.weight") }
        }
        assertRefused(input, module: "down", because: "down.cdc.weight is missing")
    }

    func testNonScalarGateIsRefused() throws {
        let input = try edited("tiny_sd") { draft, root in replace("body.3.cac_theta", shape: [2], in: &draft, root: root) }
        assertRefused(input, module: "body.3", because: "not a scalar")
    }

    /// A whole pickled model records padding; padding 0 with a 3x3 kernel makes the fold inexact.
    func testPaddingThatMakesTheFoldInexactIsRefused() throws {
        let checkpoint = try CheckpointReader.open(Fixtures.path("whole_module.pth"))
        var draft = CheckpointDraft(copying: checkpoint)
        let model = try XCTUnwrap(checkpoint.pickledModels().first)
        for branch in ["stem.cac", "stem.cdc"] {
            let module = try XCTUnwrap(model.modules.first { $0.prefix == branch })
            let state = try XCTUnwrap(draft.graph[module.node].state?.nodeID)
            let zero = draft.graph.add(PickleNode(kind: .tuple, items: [.int(0), .int(0)]))
            let index = try XCTUnwrap(draft.graph[state].entries.firstIndex { $0.key == .string("padding") })
            draft.graph[state].entries[index].value = zero
        }
        let input = scratch.appendingPathComponent("padding0.pth").path
        _ = try CheckpointWriter.write(draft, to: input)
        assertRefused(input, module: "stem", because: "padding [0, 0]")
    }

    func testExistingOutputIsKeptWithoutForceAndReplacedWithIt() throws {
        let output = scratch.appendingPathComponent("existing.pth").path
        _ = FileManager.default.createFile(atPath: output, contents: Data("precious".utf8))
        XCTAssertThrowsError(try MergeRun.run(MergeRequest(input: Fixtures.path("tiny_sd.pth"), output: output)))
        XCTAssertEqual(FileManager.default.contents(atPath: output), Data("precious".utf8))
        var request = MergeRequest(input: Fixtures.path("tiny_sd.pth"), output: output)
        request.replaceExisting = true
        XCTAssertTrue(try MergeRun.run(request).report.passed)
        XCTAssertNoThrow(try CheckpointReader.open(output))
    }

    func testOutputThatIsTheInputIsRefused() throws {
        let input = scratch.appendingPathComponent("model.pth").path
        try FileManager.default.copyItem(atPath: Fixtures.path("tiny_sd.pth"), toPath: input)
        let before = FileManager.default.contents(atPath: input)
        for output in [input, scratch.appendingPathComponent("./model.pth").path] {
            var request = MergeRequest(input: input, output: output)
            request.replaceExisting = true
            XCTAssertThrowsError(try MergeRun.run(request)) { XCTAssertTrue("\($0)".contains("input file"), "\($0)") }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: input), before)
    }

    func testAFailedCheckLeavesNoOutput() throws {
        let output = scratch.appendingPathComponent("strict.pth").path
        var request = MergeRequest(input: Fixtures.path("tiny_sd.pth"), output: output)
        request.probe.tolerance = 0
        let outcome = try MergeRun.run(request)
        XCTAssertFalse(outcome.report.passed)
        XCTAssertNil(outcome.written)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }
}
