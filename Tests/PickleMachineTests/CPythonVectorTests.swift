import PickleMachine
import XCTest

/// Every pickle CPython produced (protocols 0-5) or loaded (hand-written), decoded and compared
/// with the description of what CPython holds.
final class CPythonVectorTests: XCTestCase {
    func testEveryVectorDecodesToWhatCPythonLoads() throws {
        XCTAssertGreaterThan(CPythonVectors.vectors.count, 150)
        for vector in CPythonVectors.vectors {
            let bytes = hex(vector.hex)
            do {
                let result = try unpickle(bytes)
                XCTAssertEqual(GraphDescription.describe(result.root, in: result.graph), vector.expected, vector.name)
                XCTAssertEqual(result.endOffset, bytes.count, vector.name)
            } catch {
                XCTFail("\(vector.name): \(error)")
            }
        }
    }

    /// Hand-written pickles that CPython refuses (bad text operands, bad shapes, truncation):
    /// the unpickler refuses each of them too.
    func testEveryPickleCPythonRefusesIsRefused() {
        XCTAssertGreaterThan(CPythonVectors.refusedByCPython.count, 50)
        for (name, hexBytes) in CPythonVectors.refusedByCPython {
            XCTAssertThrowsError(try unpickle(hex(hexBytes)), name) { error in
                XCTAssertTrue(error is PickleError, name)
            }
        }
    }

    func testProtocolVersionIsReported() throws {
        for version in 0...5 {
            XCTAssertEqual(try unpickle(vector("ints/p\(version)").bytes).protocolVersion, version < 2 ? 0 : version)
        }
    }

    /// Every opcode byte, name and protocol equals CPython's `pickletools` table.
    func testOpcodeTableMatchesCPython() {
        XCTAssertEqual(CPythonVectors.opcodes.count, PickleOpcode.allCases.count)
        for (name, code, version) in CPythonVectors.opcodes {
            guard let opcode = PickleOpcode(rawValue: code) else {
                return XCTFail("no opcode 0x\(String(code, radix: 16)) (\(name))")
            }
            XCTAssertEqual(opcode.name, name)
            XCTAssertEqual(opcode.introducedInProtocol, version, name)
        }
    }

    /// The vectors exercise every opcode except the five that are refused (tested in UnpicklerErrorTests).
    func testVectorsCoverEveryOpcode() {
        let used = Set(CPythonVectors.vectors.flatMap { $0.opcodes.split(separator: " ").map(String.init) })
        let refused: Set<String> = ["EXT1", "EXT2", "EXT4", "NEXT_BUFFER", "READONLY_BUFFER"]
        let missing = Set(PickleOpcode.allCases.map(\.name)).subtracting(used).subtracting(refused)
        XCTAssertEqual(missing, [])
    }

    func testTorchStateDictShape() throws {
        let result = try unpickle(vector("state_dict/p2").bytes)
        guard case .node(let root) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[root].kind, .dict(ordered: true))
        XCTAssertEqual(result.graph[root].entries.map(\.key), [.string("conv.weight"), .string("conv.bias"), .string("view")])
        guard case .node(let tensor) = result.graph[root].entries[0].value else { return XCTFail("tensor is not a node") }
        XCTAssertEqual(result.graph[tensor].kind, .call(PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")))
        XCTAssertNotNil(result.graph[root].state)
    }

    /// Python 2 names are mapped only below protocol 3, as CPython does.
    func testPython2NamesAreMappedBelowProtocol3Only() throws {
        let setOfList = ascii("c__builtin__\nset\n") + hex("5d 85 52 2e")
        XCTAssertEqual(try describeUnpickled(hex("80 02") + setOfList), "set{}")
        assertUnpickleFails(
            hex("80 03") + setOfList, .refusedCallable(name: "__builtin__.set", opcode: .reduce, offset: 21),
            policy: .dataOnly)
    }

    func testGlobalsAreListedInFirstUseOrderWithUsages() throws {
        let globals = try unpickle(vector("state_dict/p2").bytes).globals
        XCTAssertEqual(
            globals.map(\.global.qualifiedName),
            ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage"])
        XCTAssertEqual(globals[0].offset, 2)
        XCTAssertEqual(Set(globals[0].usages.keys), [.pushed, .reduce, .buildTarget])
        XCTAssertEqual(Set(globals[1].usages.keys), [.pushed, .reduce])
        XCTAssertEqual(Set(globals[2].usages.keys), [.pushed])
        let instance = try unpickle(vector("point/p2").bytes).globals
        XCTAssertEqual(instance.map(\.global.qualifiedName), ["__main__.Point"])
        XCTAssertEqual(Set(instance[0].usages.keys), [.pushed, .newObject, .buildTarget])
        let inst = try unpickle(vector("hand/inst_args").bytes).globals
        XCTAssertEqual(inst.map { Set($0.usages.keys) }, [[.inst]])
        let obj = try unpickle(vector("hand/obj").bytes).globals
        XCTAssertEqual(obj.map { Set($0.usages.keys) }, [[.pushed, .obj]])
    }

    /// The legacy torch format concatenates pickles: each is read from where the previous ended.
    func testEndOffsetAllowsReadingConcatenatedPickles() throws {
        let magic = hex("80 02 8a 0a 6c fc 9c 46 f9 20 6a a8 50 19 2e")
        let version = hex("80 02 4d e9 03 2e")
        let bytes = magic + version
        let first = try Unpickler.unpickle(bytes, policy: .dataOnly)
        XCTAssertEqual(first.endOffset, magic.count)
        guard case .bigInt(let number) = first.root else { return XCTFail("magic is not a big int") }
        XCTAssertEqual(number.description, "119547037146038801333356")
        let second = try Unpickler.unpickle(bytes, from: first.endOffset, policy: .dataOnly)
        XCTAssertEqual(second.root, .int(1001))
        XCTAssertEqual(second.endOffset, bytes.count)
    }
}
