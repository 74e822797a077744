import CheckpointContainers
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// The lookup reads only the rebuild calls on the paths it searches, yet refuses what a full open refuses about
/// the tensors it finds: malformed geometry, a storage key declared inconsistently anywhere in the pickle, a
/// missing or short record. What lies off its paths is left to a full open (and the writer wrote it as read).
final class WrittenTensorRebuildsTests: XCTestCase {
    private typealias P = PickleBytes
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Fixtures.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    // MARK: pickle pieces (protocol 2)

    private var orderedDict: [UInt8] { P.global("collections", "OrderedDict") + [0x29] + P.reduce }

    private func storage(_ key: String, elements: Int32) -> [UInt8] {
        P.tuple(P.text("storage"), P.global("torch", "FloatStorage"), P.text(key), P.text("cpu"), P.int(elements)) + [0x51]
    }

    /// `_rebuild_tensor_v2(storage, 0, (count,), (1,), False, OrderedDict())`.
    private func tensor(_ storage: [UInt8], count: Int32) -> [UInt8] {
        P.global("torch._utils", "_rebuild_tensor_v2")
            + P.tuple(storage, P.int(0), P.tuple(P.int(count)), P.tuple(P.int(1)), [0x89], orderedDict) + P.reduce
    }

    /// A zip checkpoint whose root dict holds `entries`, with `records` as its storages' records.
    private func checkpoint(_ entries: [(String, [UInt8])], records: [String: Int]) throws -> String {
        let pickle: [UInt8] = [0x80, 0x02, 0x28] + entries.flatMap { P.text($0.0) + $0.1 } + [0x64, 0x2E]
        let path = scratch.appendingPathComponent("\(UUID().uuidString).pth").path
        let zip = try ZipArchiveWriter(path: path)
        try zip.addStored(name: "x/data.pkl", bytes: pickle)
        for (key, size) in records.sorted(by: { $0.key < $1.key }) {
            try zip.addStored(name: "x/data/\(key)", bytes: [UInt8](repeating: 0, count: size))
        }
        try zip.addStored(name: "x/version", bytes: Array("3\n".utf8))
        try zip.finish()
        return path
    }

    private func assertRefused(_ path: String, _ names: Set<String>, _ words: String..., line: UInt = #line) {
        XCTAssertThrowsError(try WrittenTensorLookup.tensors(named: names, inZipCheckpoint: path), line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix(path), message, line: line)
            for word in words { XCTAssertTrue(message.contains(word), "\(message) lacks \(word)", line: line) }
        }
    }

    func testAFoundTensorAndAParameterWrappingOneAreReadWithTheirStorages() throws {
        let parameter =
            P.global("torch._utils", "_rebuild_parameter")
            + P.tuple(tensor(storage("1", elements: 2), count: 2), [0x88], orderedDict)
            + P.reduce
        let path = try checkpoint(
            [("a", tensor(storage("0", elements: 4), count: 4)), ("p", parameter)], records: ["0": 16, "1": 8])
        let found = try WrittenTensorLookup.tensors(named: ["a", "p"], inZipCheckpoint: path)
        XCTAssertEqual(found, try CheckpointReader.open(path).namedTensors().reduce(into: [:]) { $0[$1.name] = $1.tensor })
        XCTAssertEqual(found?["p"]?.isParameter, true)
        XCTAssertEqual(found?["p"]?.shape, [2])
    }

    func testAFoundTensorsStorageDeclaredOtherwiseElsewhereIsRefused() throws {
        let path = try checkpoint(
            [("a", tensor(storage("0", elements: 4), count: 4)), ("b", tensor(storage("0", elements: 8), count: 8))],
            records: ["0": 16])
        assertRefused(path, ["a"], "storage 0 is declared inconsistently")
    }

    func testAFoundTensorOutsideItsStorageIsRefused() throws {
        let path = try checkpoint([("a", tensor(storage("0", elements: 4), count: 5))], records: ["0": 16])
        assertRefused(path, ["a"], "storage 0")
    }

    func testAFoundTensorsMissingOrShortRecordIsRefused() throws {
        let tensor = tensor(storage("0", elements: 4), count: 4)
        assertRefused(try checkpoint([("a", tensor)], records: [:]), ["a"], "x/data/0")
        assertRefused(try checkpoint([("a", tensor)], records: ["0": 12]), ["a"], "x/data/0")
    }

    func testAMalformedTensorOffThePathsSearchedIsLeftToAFullOpen() throws {
        let path = try checkpoint(
            [("a", tensor(storage("0", elements: 4), count: 4)), ("b", tensor(storage("1", elements: 1), count: 9))],
            records: ["0": 16, "1": 4])
        XCTAssertThrowsError(try CheckpointReader.open(path))
        XCTAssertEqual(try WrittenTensorLookup.tensors(named: ["a"], inZipCheckpoint: path)?.keys.sorted(), ["a"])
        assertRefused(path, ["a", "b"], "storage 1")
    }
}
