import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// Merging the committed fixtures must give what torch's own float64 fold gives (fixtures/*.expected.pth).
final class MergeRunTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try Fixtures.scratchDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private func merge(_ name: String, keepOptimizer: Bool = false, folder: String = "out") throws -> (String, MergeOutcome) {
        let directory = scratch.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var request = MergeRequest(
            input: Fixtures.path("\(name).pth"), output: directory.appendingPathComponent("\(name).pth").path)
        request.merge.keepOptimizer = keepOptimizer
        return (request.output, try MergeRun.run(request))
    }

    func testMergedTensorsEqualTorchsFoldWithinOneULP() throws {
        for name in Fixtures.withTorchMerge {
            let (output, outcome) = try merge(name, keepOptimizer: true)
            XCTAssertTrue(outcome.report.passed, name)
            XCTAssertEqual(outcome.report.layers.count, try Fixtures.facts(name).daconv.count, name)
            let ours = try CheckpointReader.open(output)
            let torchs = try CheckpointReader.open(Fixtures.path("\(name).expected.pth"))
            let ourTensors = try ours.namedTensors()
            let torchTensors = try torchs.namedTensors()
            XCTAssertEqual(ourTensors.map(\.name), torchTensors.map(\.name), "\(name): names and order")
            for (a, b) in zip(ourTensors, torchTensors) {
                XCTAssertEqual(a.tensor.dtype, b.tensor.dtype, "\(name) \(a.name)")
                XCTAssertEqual(a.tensor.shape, b.tensor.shape, "\(name) \(a.name)")
                let bytesA = try ours.contiguousBytes(of: a.tensor)
                let bytesB = try torchs.contiguousBytes(of: b.tensor)
                let folded = outcome.report.layers.contains { a.name == $0.module + ".weight" || a.name == $0.module + ".bias" }
                if folded {
                    XCTAssertLessThanOrEqual(ULP.maxDistance(bytesA, bytesB, dtype: a.tensor.dtype), 1, "\(name) \(a.name)")
                } else {
                    XCTAssertEqual(bytesA, bytesB, "\(name) \(a.name) passes through unchanged")
                }
            }
        }
    }

    func testMetadataIsTheOneTorchWritesForThePlainModel() throws {
        for name in ["tiny_sd", "dataparallel_sd", "legacy_sd"] {
            let (output, _) = try merge(name)
            XCTAssertEqual(try metadataKeys(output), try metadataKeys(Fixtures.path("\(name).expected.pth")), name)
        }
    }

    private func metadataKeys(_ path: String) throws -> [String] {
        let checkpoint = try CheckpointReader.open(path)
        let state = try XCTUnwrap(checkpoint.graph.node(checkpoint.root)?.state)
        let metadata = try XCTUnwrap(checkpoint.graph.lookup(state, "_metadata"))
        return try XCTUnwrap(checkpoint.graph.dictEntries(metadata)).compactMap { $0.key.stringValue }
    }

    func testOptimizerIsDroppedAndReportedUnlessKept() throws {
        let (output, outcome) = try merge("train_checkpoint")
        XCTAssertEqual(outcome.report.dropped, ["optimizer"])
        let names = try CheckpointReader.open(output).namedTensors().map(\.name)
        XCTAssertFalse(names.contains { $0.hasPrefix("optimizer.") })
        XCTAssertTrue(names.contains("model.stem.weight"))
        let (kept, keptOutcome) = try merge("train_checkpoint", keepOptimizer: true, folder: "kept")
        XCTAssertEqual(keptOutcome.report.dropped, [])
        XCTAssertTrue(try CheckpointReader.open(kept).namedTensors().contains { $0.name == "optimizer.state.0.exp_avg" })
    }

    func testWholeModelBecomesItsMergedStateDict() throws {
        let (output, outcome) = try merge("whole_module")
        XCTAssertTrue(outcome.fromWholeModel)
        XCTAssertTrue(outcome.report.warnings.contains { $0.contains("whole pickled model") })
        XCTAssertTrue(outcome.report.layers.allSatisfy { $0.geometrySource == .pickledModel })
        XCTAssertEqual(outcome.report.layers.first { $0.module == "down" }?.stride, [2, 2])
        let checkpoint = try CheckpointReader.open(output)
        XCTAssertTrue(try checkpoint.pickledModels().isEmpty)
    }

    func testSameInputGivesByteIdenticalOutput() throws {
        let (first, _) = try merge("tiny_sd")
        let (second, _) = try merge("tiny_sd", folder: "again")
        XCTAssertEqual(FileManager.default.contents(atPath: first), FileManager.default.contents(atPath: second))
    }

    /// The float32 weight records are checked against their CRC-32 as the pipeline reads them (not in a
    /// first pass); every other record before the merge starts. Either kind of damage fails the merge,
    /// names the record and leaves no output.
    func testDamagedRecordsFailTheMergeWhereverTheyAreChecked() throws {
        let source = try CheckpointReader.open(Fixtures.path("zero_dce.pth"))
        let named = Dictionary(uniqueKeysWithValues: try source.namedTensors().map { ($0.name, $0.tensor) })
        let weight = try XCTUnwrap(named["e_conv4.cdc.weight"])
        let theta = try XCTUnwrap(named["e_conv4.cac_theta"])
        XCTAssertNotNil(source.recordCheckedOnRead(weight), "a whole float32 weight record is checked as it is read")
        for tensor in [weight, theta] {
            guard case .zipRecord(let record) = source.storage(of: tensor).source,
                let entry = source.format.records.first(where: { $0.name == record }), let offset = entry.dataOffset
            else { return XCTFail("zero_dce.pth stores its tensors in zip records") }
            var bytes = try XCTUnwrap(FileManager.default.contents(atPath: Fixtures.path("zero_dce.pth")))
            bytes[Int(offset)] ^= 0x40
            let damaged = scratch.appendingPathComponent("damaged.pth")
            let output = scratch.appendingPathComponent("out.pth")
            try bytes.write(to: damaged)
            XCTAssertThrowsError(try MergeRun.run(MergeRequest(input: damaged.path, output: output.path))) { error in
                guard let error = error as? CheckpointError,
                    case .container(.crcMismatch(_, let name, let expected, let actual)) = error.reason
                else { return XCTFail("\(record): \(error)") }
                XCTAssertEqual(name, record)
                XCTAssertEqual(expected, entry.crc32)
                XCTAssertNotEqual(actual, expected)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), record)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0 != "damaged.pth" }
            XCTAssertEqual(leftovers, [], "no temporary file is left behind")
        }
    }

    func testEveryRecordIsAlignedTo64Bytes() throws {
        let (output, _) = try merge("zero_dce")
        let records = try CheckpointReader.open(output).format.records
        XCTAssertFalse(records.isEmpty)
        for record in records { XCTAssertEqual((record.dataOffset ?? 1) % 64, 0, record.name) }
    }

    func testNoDAConvPassesEverythingThroughWithAWarning() throws {
        for name in ["no_daconv", "views", "dtypes", "tied_params"] {
            let (output, outcome) = try merge(name)
            XCTAssertTrue(outcome.report.layers.isEmpty, name)
            XCTAssertTrue(outcome.report.warnings.contains { $0.contains("no DAConv") }, name)
            let input = try CheckpointReader.open(Fixtures.path("\(name).pth"))
            let merged = try CheckpointReader.open(output)
            let a = try input.namedTensors()
            let b = try merged.namedTensors()
            XCTAssertEqual(a.map(\.name), b.map(\.name), name)
            for (x, y) in zip(a, b) {
                XCTAssertEqual(x.tensor.strides, y.tensor.strides, "\(name) \(x.name) keeps its strides")
                XCTAssertEqual(x.tensor.storageOffset, y.tensor.storageOffset, "\(name) \(x.name)")
                XCTAssertEqual(
                    try input.contiguousBytes(of: x.tensor), try merged.contiguousBytes(of: y.tensor), "\(name) \(x.name)")
            }
            XCTAssertEqual(sharingGroups(a), sharingGroups(b), "\(name): shared storages stay shared")
        }
    }

    /// A file may key a storage `computed:0`, the key a draft gives the first tensor it adds: the merge used to
    /// put the folded weight under the same key and refuse its own output ("storage 0 is declared
    /// inconsistently"). Both are written, each with its own bytes.
    func testAStorageKeyedLikeAnAddedTensorKeepsItsBytes() throws {
        let directory = scratch.appendingPathComponent("key")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let request = MergeRequest(
            input: Fixtures.path("hostile/storage_key_like_added.pth"),
            output: directory.appendingPathComponent("merged.pth").path)
        XCTAssertTrue(try MergeRun.run(request).report.passed)
        let merged = try CheckpointReader.open(request.output)
        let tensors = try merged.namedTensors()
        XCTAssertEqual(tensors.map(\.name), ["w", "m.weight"])
        // The six floats make_hostile.py wrote under computed:0, as torch.load reads them.
        XCTAssertEqual(try merged.doubleValues(of: tensors[0].tensor), [0.5, -1.0, 1.5, -2.0, 2.5, -3.0])
        XCTAssertEqual(tensors[1].tensor.shape, [1, 1, 3, 3])
        XCTAssertNotEqual(tensors[0].tensor.storageKey, tensors[1].tensor.storageKey)
    }

    private func sharingGroups(_ tensors: [(name: String, node: PickleNodeID, tensor: TorchTensor)]) -> Set<Set<String>> {
        var groups: [String: Set<String>] = [:]
        for named in tensors { groups[named.tensor.storageKey, default: []].insert(named.name) }
        return Set(groups.values.filter { $0.count > 1 })
    }
}
