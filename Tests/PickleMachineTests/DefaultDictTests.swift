import PickleMachine
import XCTest

/// `collections.defaultdict` as CPython pickles it (bytes from `pickle.dumps(d, protocol=p)`): a plain dict
/// with its factory noted beside the graph; a factory that is not a builtin data type is refused by name.
final class DefaultDictTests: XCTestCase {
    /// `d = defaultdict(list); d['a'].append(1); d[2] = [3]` at protocols 0, 2 and 4.
    let listFactory = [
        "63636f6c6c656374696f6e730a64656661756c74646963740a70300a28635f5f6275696c74696e5f5f0a6c6973740a70310a7470320a5270330a56610a70340a286c70350a49310a617349320a286c70360a49330a61732e",
        "800263636f6c6c656374696f6e730a64656661756c74646963740a7100635f5f6275696c74696e5f5f0a6c6973740a71018571025271032858010000006171045d71054b01614b025d71064b0361752e",
        "80049549000000000000008c0b636f6c6c656374696f6e73948c0b64656661756c74646963749493948c086275696c74696e73948c046c69737494939485945294288c0161945d944b01614b025d944b0361752e",
    ]

    func testDefaultDictIsAPlainDictWithItsFactoryNoted() throws {
        for bytes in listFactory.map(hex) {
            let result = try unpickle(bytes, policy: .dataOnly)
            XCTAssertEqual(GraphDescription.describe(result.root, in: result.graph), "{'a': [1], 2: [3]}")
            XCTAssertEqual(result.defaultDictFactories, [result.root.nodeIDForTest!: "builtins.list"])
        }
    }

    /// `defaultdict(None, {'x': 1})`: no factory.
    func testDefaultDictWithoutFactory() throws {
        let bytes = hex("800263636f6c6c656374696f6e730a64656661756c74646963740a71002952710158010000007871024b01732e")
        let result = try unpickle(bytes, policy: .dataOnly)
        XCTAssertEqual(GraphDescription.describe(result.root, in: result.graph), "{'x': 1}")
        XCTAssertEqual(result.defaultDictFactories.values.first, "None")
    }

    /// A factory is called whenever a missing key is read: `os.system` or any non-builtin is refused, even by a
    /// policy that allows every call; an audit scan keeps it inert and lists it.
    func testFactoryThatIsNotABuiltinDataTypeIsRefused() {
        let osSystem = ascii("ccollections\ndefaultdict\ncos\nsystem\n") + hex("85") + ascii("R.")
        assertUnpickleFails(
            osSystem, .refusedFactory(found: "os.system", opcode: .reduce, offset: osSystem.count - 2),
            policy: UnpicklerPolicy { _ in true })
        let lambda = ascii("ccollections\ndefaultdict\ncmylib\nmake\n") + hex("85") + ascii("R.")
        assertUnpickleFails(lambda, .refusedFactory(found: "mylib.make", opcode: .reduce, offset: lambda.count - 2))
        let notGlobal = ascii("ccollections\ndefaultdict\nI1\n") + hex("85") + ascii("R.")
        assertUnpickleFails(notGlobal, .refusedFactory(found: "int", opcode: .reduce, offset: notGlobal.count - 2))
        XCTAssertTrue(
            PickleError.refusedFactory(found: "os.system", opcode: .reduce, offset: 7).description
                .hasPrefix("refused collections.defaultdict with factory os.system (REDUCE at byte 7)"))
        let scan = PickleGlobalScan.scan(osSystem)
        XCTAssertNil(scan.error)
        XCTAssertEqual(scan.globals.map(\.global.qualifiedName), ["collections.defaultdict", "os.system"])
    }

    func testMoreThanTheFactoryIsRefused() {
        let bytes = ascii("ccollections\ndefaultdict\ncbuiltins\nlist\n}") + hex("86") + ascii("R.")
        assertUnpickleFails(
            bytes,
            .invalidOperand(
                opcode: .reduce, expected: "collections.defaultdict's factory alone", found: "2 arguments",
                offset: bytes.count - 2))
    }
}

extension PickleValue {
    var nodeIDForTest: PickleNodeID? {
        if case .node(let id) = self { return id }
        return nil
    }
}
