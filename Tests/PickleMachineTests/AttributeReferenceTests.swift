import PickleMachine
import XCTest

/// `builtins.getattr(<global>, 'name')` (how pickle stores a function reached through a class: mmengine's
/// HistoryBuffer methods) is read as the global `<global>.name`; any other getattr call is refused.
final class AttributeReferenceTests: XCTestCase {
    /// `pickle.dumps(getattr(HistoryBuffer, 'min'))` as mmengine's checkpoints hold it (protocol 2).
    let reference =
        ascii("c__builtin__\ngetattr\ncmmengine.logging.history_buffer\nHistoryBuffer\nX") + hex("03000000")
        + ascii("min") + hex("86") + ascii("R.")

    func testGetattrOfAGlobalIsTheDottedGlobal() throws {
        let result = try unpickle(reference, policy: .dataOnly)
        XCTAssertEqual(
            GraphDescription.describe(result.root, in: result.graph),
            "global(mmengine.logging.history_buffer.HistoryBuffer.min)")
        let uses = Dictionary(uniqueKeysWithValues: result.globals.map { ($0.global.qualifiedName, Set($0.usages.keys)) })
        XCTAssertEqual(uses["builtins.getattr"], [.pushed, .attributeReference])
        XCTAssertEqual(uses["mmengine.logging.history_buffer.HistoryBuffer.min"], [.pushed])
    }

    func testOtherFormsFollowThePolicy() {
        let dunder =
            ascii("cbuiltins\ngetattr\ncmylib\nThing\nX") + hex("09000000") + ascii("__class__") + hex("86") + ascii("R.")
        assertUnpickleFails(dunder, .refusedCallable(name: "builtins.getattr", opcode: .reduce, offset: dunder.count - 2))
        let notGlobal = ascii("cbuiltins\ngetattr\n]X") + hex("06000000") + ascii("append") + hex("86") + ascii("R.")
        assertUnpickleFails(notGlobal, .refusedCallable(name: "builtins.getattr", opcode: .reduce, offset: notGlobal.count - 2))
        let withDefault =
            ascii("cbuiltins\ngetattr\ncmylib\nThing\nX") + hex("01000000") + ascii("a") + ascii("N") + hex("87") + ascii("R.")
        assertUnpickleFails(
            withDefault, .refusedCallable(name: "builtins.getattr", opcode: .reduce, offset: withDefault.count - 2))
        // The scan keeps such a call inert and notes it as a call.
        let scan = PickleGlobalScan.scan(dunder)
        XCTAssertEqual(scan.globals.first?.usages.keys.contains(.reduce), true)
    }

    func testPlainNames() {
        XCTAssertTrue(["min", "current", "_private", "a1"].allSatisfy(isPlain))
        XCTAssertFalse(
            ["__class__", "__globals__", "", "1a", "a.b", "a b", String(repeating: "a", count: 129)].contains(where: isPlain))
    }

    private func isPlain(_ name: String) -> Bool {
        let bytes =
            ascii("cbuiltins\ngetattr\ncmylib\nThing\nX") + withUnsafeBytes(of: UInt32(name.utf8.count).littleEndian, Array.init)
            + Array(name.utf8) + hex("86") + ascii("R.")
        return (try? unpickle(bytes, policy: .dataOnly)) != nil
    }
}
