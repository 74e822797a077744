import XCTest

@testable import PickleMachine

/// Rewriting a dict's entries: kept entries keep their slots, the run is reused when it has room, and no other
/// node's items or entries change.
final class PickleGraphEntryEditTests: XCTestCase {
    private func pairs(_ graph: PickleGraph, _ id: PickleNodeID) -> [[PickleValue]] {
        graph.entries(of: id).map { [$0.key, $0.value] }
    }

    /// A dict of `count` string keys, with a list made after it whose slots follow the dict's run.
    private func dictAndNeighbour(count: Int) -> (PickleGraph, PickleNodeID, PickleNodeID) {
        var graph = PickleGraph()
        let entries = (0..<count).map { PickleDictEntry(key: .string("k\($0)"), value: .int(Int64($0))) }
        guard case .node(let dict) = graph.add(PickleNode(kind: .dict(ordered: true), entries: entries)),
            case .node(let list) = graph.add(PickleNode(kind: .list, items: [.string("after"), .int(7)]))
        else { preconditionFailure("add returns a node") }
        return (graph, dict, list)
    }

    func testKeptAndInsertedEntriesInEditOrderWithoutNewSlotsOrStrings() {
        var (graph, dict, list) = dictAndNeighbour(count: 6)
        let slotsBefore = graph.slots.count
        let stringsBefore = graph.strings.count
        graph.rewriteEntries(
            of: dict,
            [
                .keep(0), .insert(PickleDictEntry(key: .string("m.weight"), value: .int(99))), .keep(4), .keep(5),
            ])
        XCTAssertEqual(
            pairs(graph, dict),
            [[.string("k0"), .int(0)], [.string("m.weight"), .int(99)], [.string("k4"), .int(4)], [.string("k5"), .int(5)]])
        XCTAssertEqual(graph.items(of: list).map { $0 }, [.string("after"), .int(7)])
        XCTAssertEqual(graph.slots.count, slotsBefore, "4 entries fit the run of 6: no slot added")
        XCTAssertEqual(graph.strings.count, stringsBefore + 1, "only the inserted key is a new string")
    }

    func testEntriesBeyondTheRunMoveToANewRunAndLeaveTheNeighbourAlone() {
        var (graph, dict, list) = dictAndNeighbour(count: 2)
        graph.rewriteEntries(
            of: dict,
            [.keep(1), .insert(PickleDictEntry(key: .string("a"), value: .none)), .keep(0)])
        XCTAssertEqual(pairs(graph, dict), [[.string("k1"), .int(1)], [.string("a"), .none], [.string("k0"), .int(0)]])
        XCTAssertEqual(graph.items(of: list).map { $0 }, [.string("after"), .int(7)])
        // The moved run is written again over its place later: a second rewrite still reads the new run.
        graph.rewriteEntries(of: dict, [.keep(2)])
        XCTAssertEqual(pairs(graph, dict), [[.string("k0"), .int(0)]])
    }

    func testSetEntriesReusesTheRunAndKeepsNeighbours() {
        var (graph, dict, list) = dictAndNeighbour(count: 3)
        let slotsBefore = graph.slots.count
        graph.setEntries(of: dict, [PickleDictEntry(key: .int(1), value: .bool(true))])
        XCTAssertEqual(pairs(graph, dict), [[.int(1), .bool(true)]])
        XCTAssertEqual(graph.items(of: list).map { $0 }, [.string("after"), .int(7)])
        XCTAssertEqual(graph.slots.count, slotsBefore)
        graph.setEntries(of: dict, (0..<5).map { PickleDictEntry(key: .int(Int64($0)), value: .none) })
        XCTAssertEqual(graph.entries(of: dict).count, 5)
        XCTAssertEqual(graph.items(of: list).map { $0 }, [.string("after"), .int(7)])
    }
}
