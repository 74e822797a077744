import TorchCheckpoint
import XCTest

@testable import CheckpointInspection

/// Tensors grouped by module prefix, as `inspect` lists them: modules in order of first appearance, a module's
/// tensors together even when others come between them, prefixes equal as Swift compares strings.
final class ModuleGroupsTests: XCTestCase {
    private func named(_ name: String, aliasOf: String? = nil) -> CheckpointInspection.NamedTensor {
        let tensor = TorchTensor(storageKey: name, dtype: .float32, shape: [1], strides: [1], storageOffset: 0)
        let storage = TorchStorage(
            key: name, dtype: .float32, elementCount: 1, byteCount: 4, location: "cpu", isUntyped: false,
            source: .fileRange(offset: 0))
        return .init(name: name, stateDictName: name, tensor: tensor, storage: storage, aliasOf: aliasOf, storageSlot: 0)
    }

    func testModulesInOrderOfFirstAppearanceWithTheirTensorsTogether() {
        let tensors = [
            named("a.w"), named("b.w"), named("a.b"), named("w"), named("K.x"), named("\u{212A}.y"), named("b.c.d"),
            named("a.tied", aliasOf: "a.w"), named(".z"),
        ]
        let groups = ModuleGroups(tensors)
        let modules = groups.prefixes.indices.map { module in
            (groups.prefix(module), groups.members(of: module).map { tensors[groups.tensor[$0]].name })
        }
        XCTAssertEqual(modules.map(\.0), ["a", "b", "", "K", "b.c"])
        XCTAssertEqual(modules.map(\.1), [["a.w", "a.b"], ["b.w"], ["w", ".z"], ["K.x", "\u{212A}.y"], ["b.c.d"]])
        let leaves = groups.leaf.map { String(decoding: groups.names[$0], as: UTF8.self) }
        XCTAssertEqual(leaves, ["w", "b", "w", "w", "z", "x", "y", "d"])
    }

    func testManyModulesAreFoundAgainAfterTheTableGrows() {
        let names = (0..<500).flatMap { ["m\($0).weight", "m\(($0 * 7) % 500).bias"] }
        let groups = ModuleGroups(names.map { named($0) })
        XCTAssertEqual(groups.prefixes.count, 500)
        for module in groups.prefixes.indices { XCTAssertEqual(groups.members(of: module).count, 2) }
    }
}
