import PickleMachine
import XCTest

/// What the policy decides, and what it never needs to decide.
final class UnpicklerPolicyTests: XCTestCase {
    /// OrderedDict, set, bytes and copyreg objects are data: no policy is asked for them.
    func testDataConstructorsNeedNoPermission() throws {
        for name in ["ordered_dict/p2", "sets/p2", "bytes/p2", "bytearray/p2", "point/p0", "my_list/p1"] {
            let (bytes, expected) = vector(name)
            XCTAssertEqual(try describeUnpickled(bytes, policy: .dataOnly), expected, name)
        }
    }

    func testAllowedCallableBecomesAnInertCallNode() throws {
        let bytes = vector("state_dict/p2").bytes
        let result = try Unpickler.unpickle(bytes, policy: UnpicklerPolicy(allowing: ["torch._utils._rebuild_tensor_v2"]))
        let calls = result.graph.nodeIDs.filter {
            result.graph.kind(of: $0) == .call(PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2"))
        }
        XCTAssertEqual(calls.count, 3)
    }

    func testCallableOutsideThePolicyIsRefusedWithItsName() {
        let bytes = vector("state_dict/p2").bytes
        XCTAssertThrowsError(try Unpickler.unpickle(bytes, policy: .dataOnly)) { error in
            guard case .refusedCallable(let name, let opcode, let offset)? = error as? PickleError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(name, "torch._utils._rebuild_tensor_v2")
            XCTAssertEqual(opcode, .reduce)
            XCTAssertEqual(bytes[offset], PickleOpcode.reduce.rawValue)
        }
    }

    func testInstAndObjFollowThePolicy() throws {
        let inst = vector("hand/inst_args")
        XCTAssertEqual(try describeUnpickled(inst.bytes, policy: UnpicklerPolicy(allowing: ["__main__.Old"])), inst.expected)
        assertUnpickleFails(inst.bytes, .refusedCallable(name: "__main__.Old", opcode: .inst, offset: 7), policy: .dataOnly)
        let obj = vector("hand/obj")
        assertUnpickleFails(obj.bytes, .refusedCallable(name: "__main__.Old", opcode: .obj, offset: 19), policy: .dataOnly)
    }

    func testAlwaysRefusedModulesAreReported() {
        XCTAssertEqual(UnpicklerPolicy.alwaysRefusedModules, ["os", "posix", "nt", "sys", "subprocess"])
        let everything = UnpicklerPolicy { _ in true }
        XCTAssertFalse(everything.allows(PickleGlobal(module: "posix", name: "system")))
        XCTAssertFalse(everything.allows(PickleGlobal(module: "os.path", name: "join")))
        XCTAssertTrue(everything.allows(PickleGlobal(module: "ossify", name: "f")))
    }
}
