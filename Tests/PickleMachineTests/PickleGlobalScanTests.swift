import PickleMachine
import XCTest

/// The audit's scan: every global listed with its uses, nothing refused, nothing run.
final class PickleGlobalScanTests: XCTestCase {
    /// `os.system("echo")` through REDUCE, then STOP: the reader refuses it, the scan lists it.
    static let osSystem = hex("80 02") + ascii("cos\nsystem\n") + hex("58 04 00 00 00") + ascii("echo") + hex("85 52 2e")

    func testCallsThatTheReaderRefusesAreListedNotRefused() throws {
        assertUnpickleFails(Self.osSystem, .refusedCallable(name: "os.system", opcode: .reduce, offset: 23), policy: .dataOnly)
        let scan = PickleGlobalScan.scan(Self.osSystem)
        XCTAssertNil(scan.error)
        XCTAssertEqual(scan.endOffset, Self.osSystem.count)
        XCTAssertEqual(scan.protocolVersion, 2)
        XCTAssertEqual(scan.globals.map(\.global.qualifiedName), ["os.system"])
        XCTAssertEqual(scan.globals[0].usages, [.pushed: 2, .reduce: 23])
    }

    /// A malformed pickle stops the scan; what was named before the fault is kept.
    func testGlobalsBeforeAFaultAreKept() {
        let bytes = Array(Self.osSystem.dropLast()) + [0xFF]
        let scan = PickleGlobalScan.scan(bytes)
        XCTAssertEqual(scan.error, .unknownOpcode(0xFF, offset: 24))
        XCTAssertNil(scan.endOffset)
        XCTAssertEqual(scan.globals.map(\.global.qualifiedName), ["os.system"])
    }

    /// INST and OBJ are listed with their own usage; NEWOBJ and BUILD as allocation and state.
    func testEveryUsageIsRecorded() {
        let inst = ascii("(") + hex("58 03 00 00 00") + ascii("6*7ibuiltins\neval\n.")
        XCTAssertEqual(Set(PickleGlobalScan.scan(inst).globals.first.map { Array($0.usages.keys) } ?? []), [.inst])
        let newObject = hex("80 02") + ascii("csubprocess\nPopen\n)") + hex("81") + ascii("}b.")
        let usages = PickleGlobalScan.scan(newObject).globals.first.map { Array($0.usages.keys) } ?? []
        XCTAssertEqual(Set(usages), [.pushed, .newObject, .buildTarget])
    }

    /// The scan starts where it is told and stops at STOP: bytes after it belong to whoever reads on.
    func testScanStopsAtStop() {
        let two = Self.osSystem + hex("80 02") + ascii("cposix\nsystem\n.")
        let first = PickleGlobalScan.scan(two)
        XCTAssertEqual(first.endOffset, Self.osSystem.count)
        let second = PickleGlobalScan.scan(two, from: Self.osSystem.count)
        XCTAssertEqual(second.globals.map(\.global.qualifiedName), ["posix.system"])
        XCTAssertEqual(PickleGlobalScan.scan(two, from: two.count + 1).error, .truncated(opcode: nil, offset: two.count + 1))
    }

    func testDataConstructorsAreKnown() {
        XCTAssertTrue(PickleGlobalScan.isDataConstructor(PickleGlobal(module: "collections", name: "OrderedDict")))
        XCTAssertTrue(PickleGlobalScan.isDataConstructor(PickleGlobal(module: "copyreg", name: "_reconstructor")))
        XCTAssertFalse(PickleGlobalScan.isDataConstructor(PickleGlobal(module: "os", name: "system")))
    }

    /// The scan's inert policy is internal to the scan: a policy allowing everything still refuses `os`.
    func testReadersCannotAllowAlwaysRefusedModules() {
        let permissive = UnpicklerPolicy(isAllowedCallable: { _ in true })
        assertUnpickleFails(Self.osSystem, .refusedCallable(name: "os.system", opcode: .reduce, offset: 23), policy: permissive)
    }
}
