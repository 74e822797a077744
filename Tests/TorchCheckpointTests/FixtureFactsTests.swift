import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

/// Every committed fixture read natively must agree with what real PyTorch reported about it.
final class FixtureFactsTests: XCTestCase {
    static let fixtures = [
        "tiny_sd", "tiny_sd_f16", "tiny_sd_bf16", "tiny_sd_f64", "train_checkpoint", "dataparallel_sd", "dtypes",
        "dtypes_exotic", "views", "legacy_sd", "legacy_zero_dce", "whole_module", "legacy_whole_module", "cuda_location",
        "protocol4", "zero_dce", "no_daconv", "tied_params",
    ]

    func testTensorsMatchTorchFacts() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let checkpoint = try CheckpointReader.open(Fixtures.path(facts.file))
            let tensors = try checkpoint.namedTensors()
            XCTAssertEqual(tensors.map(\.name), facts.tensors.map(\.name), "\(name): tensor names and order")
            for (ours, theirs) in zip(tensors, facts.tensors) {
                let label = "\(name): \(theirs.name)"
                let storage = checkpoint.storage(of: ours.tensor)
                XCTAssertEqual(ours.tensor.dtype.rawValue, theirs.dtype, label)
                XCTAssertEqual(ours.tensor.shape, theirs.shape, label)
                XCTAssertEqual(ours.tensor.strides, theirs.stride, label)
                XCTAssertEqual(ours.tensor.storageOffset, theirs.storage_offset, label)
                XCTAssertEqual(storage.key, theirs.storage_key, label)
                XCTAssertEqual(storage.dtype.rawValue, theirs.storage_dtype, label)
                XCTAssertEqual(storage.elementCount, theirs.storage_numel, label)
                XCTAssertEqual(storage.byteCount, theirs.storage_nbytes, label)
                XCTAssertEqual(storage.location, theirs.location, label)
                XCTAssertEqual(ours.tensor.requiresGrad, theirs.requires_grad, label)
                XCTAssertEqual(ours.tensor.isParameter, theirs.is_parameter, label)
                XCTAssertEqual(ours.tensor.rebuildFunction, theirs.rebuild, label)
                XCTAssertEqual(ours.tensor.elementCount, theirs.numel, label)
                let bytes = try checkpoint.contiguousBytes(of: ours.tensor)
                XCTAssertEqual(SHA256.hex(bytes), theirs.sha256, "\(label): bytes")
                if ours.tensor.dtype.isFoldable, let first = theirs.first_values {
                    let values = try checkpoint.doubleValues(of: ours.tensor)
                    XCTAssertEqual(values.prefix(first.count).map { FactNumber.number($0) }, first, "\(label): values")
                }
            }
        }
    }

    /// Every storage once, in the order of ``Checkpoint/storageOrder`` (the order torch pickled their keys in).
    func testStoragesInOrderFollowStorageOrder() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let checkpoint = try CheckpointReader.open(Fixtures.path(facts.file))
            XCTAssertEqual(checkpoint.storagesInOrder.map(\.key), checkpoint.storageOrder, name)
            XCTAssertEqual(checkpoint.storagesInOrder, checkpoint.storageOrder.map { checkpoint.storages[$0] }, name)
            XCTAssertEqual(checkpoint.storagesInOrder.count, checkpoint.storages.count, name)
            let firstUse = try checkpoint.namedTensors().map(\.tensor.storageKey).reduce(into: [String]()) { keys, key in
                if !keys.contains(key) { keys.append(key) }
            }
            XCTAssertEqual(Set(firstUse), Set(checkpoint.storageOrder), "\(name): every storage a tensor views")
        }
    }

    func testSharedStoragesMatchTorch() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let checkpoint = try CheckpointReader.open(Fixtures.path(facts.file))
            var groups: [String: [String]] = [:]
            for named in try checkpoint.namedTensors() { groups[named.tensor.storageKey, default: []].append(named.name) }
            let ours = Set(groups.values.filter { $0.count > 1 }.map { Set($0) })
            let theirs = Set(facts.shared_storage_groups.map { Set($0) })
            XCTAssertEqual(ours, theirs, "\(name): tensors sharing a storage")
        }
    }

    func testFormatFactsMatchTorch() throws {
        for name in Self.fixtures {
            let facts = try Fixtures.facts(name)
            let checkpoint = try CheckpointReader.open(Fixtures.path(facts.file))
            XCTAssertEqual(checkpoint.format.kind.rawValue, facts.format, name)
            // The facts keep the spelling in the file (`__builtin__.set`); the reader maps it to Python 3's.
            let written = facts.globals.map { name -> String in
                let dot = name.lastIndex(of: ".")!
                let global = PickleGlobal(module: String(name[..<dot]), name: String(name[name.index(after: dot)...]))
                return PythonNameMapping.python3(global).qualifiedName
            }
            XCTAssertEqual(Set(checkpoint.globals.map(\.global.qualifiedName)), Set(written), "\(name): globals")
            guard facts.format == "zip" else { continue }
            XCTAssertEqual(checkpoint.format.archivePrefix, facts.archive_prefix, name)
            XCTAssertEqual(checkpoint.format.pickleProtocol, facts.pickle_protocol, name)
            let records = checkpoint.format.records
            XCTAssertEqual(records.map(\.name), facts.records?.map(\.name), "\(name): records")
            XCTAssertEqual(records.map(\.size), facts.records?.map(\.size), "\(name): record sizes")
            XCTAssertEqual(records.map(\.dataOffset), facts.records?.map(\.data_offset), "\(name): data offsets")
        }
    }
}
