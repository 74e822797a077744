import PickleMachine
import XCTest

/// A node map holds one value per node, kept in the order values were first set, however much room it reserved.
final class PickleNodeMapTests: XCTestCase {
    func testReservedMapKeepsTheSameValuesAndOrder() {
        var plain = PickleNodeMap<[Int]>(nodeCount: 4)
        var reserved = PickleNodeMap<[Int]>(nodeCount: 4)
        reserved.reserveCapacity(100)
        for map in [0, 1] {
            let edits: [(Int, [Int])] = [(3, [1, 2]), (0, [3]), (3, [4, 5, 6]), (7, [])]
            for (index, value) in edits {
                if map == 0 { plain[PickleNodeID(index: index)] = value } else { reserved[PickleNodeID(index: index)] = value }
            }
        }
        for map in [plain, reserved] {
            XCTAssertEqual(map.count, 3)
            XCTAssertEqual(map.keys.map(\.index), [3, 0, 7], "first-set order")
            XCTAssertEqual(map.values, [[4, 5, 6], [3], []], "a replaced value keeps its place")
            XCTAssertEqual(map[PickleNodeID(index: 3)], [4, 5, 6])
            XCTAssertNil(map[PickleNodeID(index: 1)])
            XCTAssertTrue(map.contains(PickleNodeID(index: 7)), "a node beyond the first count")
            XCTAssertFalse(map.contains(PickleNodeID(index: 8)))
        }
    }
}
