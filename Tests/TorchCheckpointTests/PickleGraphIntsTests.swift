import PickleMachine
import TorchCheckpoint
import XCTest

/// Shapes and strides read as ints, sharing the previous tensor's array when they are the same ints.
final class PickleGraphIntsTests: XCTestCase {
    func testIntsSameAsPreviousGivesThePreviousOnlyForTheSameInts() {
        var graph = PickleGraph()
        let shape = graph.add(PickleNode(kind: .tuple, items: [.int(4), .int(3)]))
        let longer = graph.add(PickleNode(kind: .tuple, items: [.int(4), .int(3), .int(1)]))
        let notInts = graph.add(PickleNode(kind: .tuple, items: [.int(4), .string("3")]))
        let empty = graph.add(PickleNode(kind: .tuple))
        XCTAssertEqual(graph.ints(shape, sameAs: [4, 3]), [4, 3])
        XCTAssertEqual(graph.ints(shape, sameAs: [4, 2]), [4, 3], "a different int")
        XCTAssertEqual(graph.ints(shape, sameAs: [4, 3, 1]), [4, 3], "a different count")
        XCTAssertEqual(graph.ints(longer, sameAs: [4, 3]), [4, 3, 1])
        XCTAssertNil(graph.ints(notInts, sameAs: [4, 3]), "a string is no int, whatever came before")
        XCTAssertNil(graph.ints(notInts, sameAs: [4]))
        XCTAssertEqual(graph.ints(empty, sameAs: []), [])
        XCTAssertEqual(graph.ints(empty, sameAs: [1]), [])
        XCTAssertNil(graph.ints(.int(4), sameAs: [4]), "not a sequence")
        for value in [shape, longer, notInts, empty] {
            XCTAssertEqual(graph.ints(value, sameAs: [4, 3]), graph.ints(value), "the same as ints(_:)")
        }
    }
}
