import CheckpointContainers
import Foundation
import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

/// numpy values as numpy 1.26 and 2.4 pickle them at protocols 0 to 5 (fixtures/data_objects, written by real
/// numpy and torch): each is decoded to what `torch.load(weights_only=False)` gives, with no numpy here.
final class DataObjectFixtureTests: XCTestCase {
    struct Facts: Decodable {
        struct Entry: Decodable {
            let type: String
            let dtype: String?
            let shape: [Int]?
            let fortran: Bool?
            let values: [FactValue]?
        }

        let protocol_: Int
        let weights_only: String
        let entries: [String: Entry]

        enum CodingKeys: String, CodingKey {
            case protocol_ = "protocol"
            case weights_only, entries
        }
    }

    /// A fact value: a bool, a number, an integer written as text (beyond 2^53), or [real, imaginary].
    enum FactValue: Decodable, Equatable {
        case bool(Bool)
        case number(Double)
        case text(String)
        case complex(Double, Double)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                let pair = try container.decode([Double].self)
                self = .complex(pair[0], pair[1])
            }
        }

        init(_ scalar: NumpyScalar) {
            switch scalar.value {
            case nil: self = .complex(scalar.real, scalar.imaginary)
            case .bool(let flag)?: self = .bool(flag)
            case .int(let number)? where abs(Double(number)) <= 9_007_199_254_740_992: self = .number(Double(number))
            case .float(let number)?: self = .number(number)
            default: self = .text(scalar.text)
            }
        }
    }

    static let names = (1...2).flatMap { major in (0...5).map { "numpy\(major)_p\($0)" } }

    private func decoded(_ name: String) throws -> (Checkpoint, [String: DecodedData]) {
        let checkpoint = try CheckpointReader.open(Fixtures.path("data_objects/\(name).pth"))
        var byPath: [String: DecodedData] = [:]
        for entry in try checkpoint.entries() {
            if let id = entry.value.nodeID, let data = checkpoint.decoded[id] { byPath[entry.dottedPath] = data }
        }
        return (checkpoint, byPath)
    }

    func testEveryNumpyValueIsDecodedAsTorchLoadsIt() throws {
        for name in Self.names {
            let facts = try JSONDecoder().decode(
                Facts.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.path("data_objects/\(name).facts.json"))))
            let (checkpoint, byPath) = try decoded(name)
            XCTAssertTrue(facts.weights_only.hasPrefix("Unsupported"), "\(name): torch.load(weights_only=True) refuses it")
            var checked = 0
            for (key, fact) in facts.entries where fact.type != "torch.Tensor" {
                let data = try XCTUnwrap(byPath[key], "\(name): \(key) decoded")
                try check(data, against: fact, "\(name): \(key)")
                checked += 1
            }
            XCTAssertEqual(checked, 64, "every entry but the tensor: \(name)")
            XCTAssertEqual(checkpoint.tensors.count, facts.protocol_ == 0 ? 0 : 1, name)
            let (sharedA, sharedB) = (
                try checkpoint.entries().first { $0.dottedPath == "shared_a" },
                try checkpoint.entries().first { $0.dottedPath == "shared_b" }
            )
            XCTAssertEqual(sharedB?.aliasOf, ["shared_a"], "\(name): one array reached twice stays one node")
            XCTAssertEqual(sharedA?.value, sharedB?.value, name)
        }
    }

    private func check(_ data: DecodedData, against fact: Facts.Entry, _ label: String) throws {
        switch data {
        case .numpyScalar(let scalar):
            XCTAssertEqual(data.typeName, fact.type, label)
            XCTAssertEqual(scalar.dtype.text, fact.dtype, label)
            XCTAssertEqual([FactValue(scalar)], fact.values, label)
        case .numpyArray(let array):
            XCTAssertEqual(fact.type, "numpy.ndarray", label)
            // numpy 2 gives big-endian arrays back in native order; numpy 1 keeps them: compare the element type.
            XCTAssertEqual(array.dtype.name, Self.native(fact.dtype), label)
            XCTAssertEqual(array.shape, fact.shape, label)
            XCTAssertEqual(array.isFortranOrder, fact.fortran, label)
            XCTAssertEqual(array.elements(limit: .max).map(FactValue.init), fact.values, label)
        case .numpyDType(let dtype):
            XCTAssertTrue(fact.type.hasPrefix("numpy.") && fact.type.hasSuffix("DType"), label)
            XCTAssertEqual(dtype.text, fact.dtype, label)
        case .path:
            XCTFail("\(label): no path in these fixtures")
        }
    }

    /// numpy's name of a dtype string without its byte order (`>i4` is int32).
    static func native(_ text: String?) -> String? {
        guard let text, text.hasPrefix(">") || text.hasPrefix("<") else { return text }
        let kind = text.dropFirst().first!
        let bits = Int(text.dropFirst(2))! * 8
        return ["i": "int", "u": "uint", "f": "float", "c": "complex"][kind]! + String(bits)
    }

    /// Both major versions and every protocol decode to the same values; only numpy 1's names differ.
    func testNumpyVersionsAndProtocolsDecodeAlike() throws {
        let (_, reference) = try decoded("numpy2_p2")
        for name in Self.names {
            let (_, values) = try decoded(name)
            XCTAssertEqual(Set(values.keys), Set(reference.keys), name)
            for (key, data) in values {
                switch (data, reference[key]!) {
                case (.numpyScalar(let a), .numpyScalar(let b)):
                    XCTAssertEqual(a.value, b.value, "\(name): \(key)")
                    XCTAssertEqual([a.real, a.imaginary], [b.real, b.imaginary], "\(name): \(key)")
                case (.numpyArray(let a), .numpyArray(let b)):
                    XCTAssertEqual(a.rowMajorBytes, b.rowMajorBytes, "\(name): \(key)")
                default:
                    XCTAssertEqual(data, reference[key], "\(name): \(key)")
                }
            }
        }
    }

    /// numpy.dtype, scalar and _reconstruct are called nowhere: a policy allowing nothing else refuses the file.
    func testNumpyNamesAreReadOnlyThroughTheCheckpointPolicy() throws {
        let archive = try ZipArchiveReader(path: Fixtures.path("data_objects/numpy2_p2.pth"))
        let pickle = try archive.readAll(XCTUnwrap(archive.record(named: "numpy2_p2/data.pkl")), maxSize: 1 << 20)
        XCTAssertThrowsError(try Unpickler.unpickle(pickle, policy: .dataOnly)) { error in
            XCTAssertTrue("\(error)".hasPrefix("refused to call numpy._core.multiarray._reconstruct"), "\(error)")
        }
    }
}
