import PickleMachine
import XCTest

/// `resolvePersistentID` lets a caller turn an id into a value it already holds (torch's legacy
/// `("module", <class>, ...)` ids), and nothing else.
final class PersistentIDResolutionTests: XCTestCase {
    /// PROTO 2, MARK 'module' GLOBAL `m C` 'f.py' 'src' TUPLE BINPERSID, EMPTY_TUPLE NEWOBJ, STOP.
    static let moduleClassByID: [UInt8] =
        [0x80, 0x02, 0x28]
        + [0x58, 6, 0, 0, 0] + Array("module".utf8)
        + [0x63] + Array("m\nC\n".utf8)
        + [0x58, 4, 0, 0, 0] + Array("f.py".utf8)
        + [0x58, 3, 0, 0, 0] + Array("src".utf8)
        + [0x74, 0x51, 0x29, 0x81, 0x2E]

    func testWithoutAResolverTheIdStaysInertAndNewobjRefusesIt() {
        XCTAssertThrowsError(try Unpickler.unpickle(Self.moduleClassByID, policy: .dataOnly)) { error in
            guard case .invalidCallable? = error as? PickleError else { return XCTFail("unexpected \(error)") }
        }
    }

    func testResolverTurnsTheIdIntoTheClassItNames() throws {
        let policy = UnpicklerPolicy(
            isAllowedCallable: { _ in false },
            resolvePersistentID: { id, graph in
                guard case .node(let tuple) = id, graph[tuple].items.count == 4 else { return nil }
                return graph[tuple].items[1]
            })
        let result = try Unpickler.unpickle(Self.moduleClassByID, policy: policy)
        guard case .node(let root) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[root].kind, .object(PickleGlobal(module: "m", name: "C"), .newObject))
        XCTAssertFalse(result.graph.nodeIDs.contains { result.graph.kind(of: $0) == .persistentID })
    }

    func testResolverReturningNilKeepsThePersistentIDNode() throws {
        let bytes: [UInt8] = [0x80, 0x02, 0x58, 1, 0, 0, 0, 0x6B, 0x51, 0x2E]
        let policy = UnpicklerPolicy(isAllowedCallable: { _ in false }, resolvePersistentID: { _, _ in nil })
        let result = try Unpickler.unpickle(bytes, policy: policy)
        guard case .node(let root) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[root].kind, .persistentID)
        XCTAssertEqual(result.graph[root].args, .string("k"))
    }
}
