import PickleMachine
import XCTest

/// The protocol-2 pickler: CPython's bytes, weights-only opcodes, round trips, memo sharing.
final class PicklerTests: XCTestCase {
    /// From the graph unpickled from each listed protocol, our bytes equal `pickle.dumps(obj, 2)`.
    func testReproducesCPythonProtocol2Bytes() throws {
        XCTAssertGreaterThan(CPythonVectors.picklerExact.count, 25)
        for (name, sources) in CPythonVectors.picklerExact {
            let expected = vector("\(name)/p2").bytes
            for source in sources {
                let result = try unpickle(vector("\(name)/p\(source)").bytes)
                let written = try Pickler.pickle(result.graph, root: result.root)
                if written != expected {
                    let firstDifference =
                        zip(written, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                        ?? min(written.count, expected.count)
                    XCTFail("\(name) from protocol \(source): differs at byte \(firstDifference)")
                }
            }
        }
    }

    /// Every vector survives unpickle -> pickle -> unpickle with the same description.
    func testRoundTripKeepsEveryVector() throws {
        for vector in CPythonVectors.vectors {
            let first = try unpickle(hex(vector.hex))
            if vector.name.hasPrefix("ints_long4/") {  // LONG4 integers cannot be written in LONG1
                XCTAssertThrowsError(try Pickler.pickle(first.graph, root: first.root)) {
                    XCTAssertEqual($0 as? PickleError, .integerTooLarge(byteCount: 263))
                }
                continue
            }
            let written = try Pickler.pickle(first.graph, root: first.root)
            let second = try unpickle(written)
            XCTAssertEqual(GraphDescription.describe(second.root, in: second.graph), vector.expected, vector.name)
            XCTAssertNotNil(opcodesOfProtocol2Output(written), "\(vector.name): an opcode outside the weights-only set")
        }
    }

    func testEmptyBytesAreWrittenWithCodecsEncode() throws {
        let written = try Pickler.pickle(PickleGraph(), root: .bytes([]))
        XCTAssertEqual(
            written,
            hex("80 02") + ascii("c_codecs\nencode\n") + hex("71 00 58 00 00 00 00 71 01")
                + hex("58 06 00 00 00") + ascii("latin1") + hex("71 02 86 71 03 52 71 04 2e"))
    }

    func testGlobalsAreWrittenWithPython2Names() throws {
        var graph = PickleGraph()
        let set = graph.add(PickleNode(kind: .set(frozen: false), items: [.int(1)]))
        let written = try Pickler.pickle(graph, root: set)
        XCTAssertEqual(Array(written[2..<19]), ascii("c__builtin__\nset\n"))
    }

    func testMemoSharingIsPreserved() throws {
        var graph = PickleGraph()
        let shared = graph.add(PickleNode(kind: .list, items: [.int(1)]))
        let root = graph.add(PickleNode(kind: .tuple, items: [shared, shared]))
        let result = try unpickle(try Pickler.pickle(graph, root: root))
        guard case .node(let tuple) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[tuple].items.count, 2)
        XCTAssertEqual(result.graph[tuple].items[0], result.graph[tuple].items[1])
    }

    func testCyclesThroughListsDictsAndObjectsRoundTrip() throws {
        var graph = PickleGraph()
        let list = graph.add(PickleNode(kind: .list))
        let dict = graph.add(PickleNode(kind: .dict(ordered: false)))
        let args = graph.add(PickleNode(kind: .tuple))
        let object = graph.add(PickleNode(kind: .object(PickleGlobal(module: "m", name: "C"), .newObject), args: args))
        graph[PickleNodeID(index: 0)].items = [list, dict, object]
        graph[PickleNodeID(index: 1)].entries = [PickleDictEntry(key: .string("list"), value: list)]
        graph[PickleNodeID(index: 3)].state = object
        let result = try unpickle(try Pickler.pickle(graph, root: list))
        XCTAssertEqual(
            GraphDescription.describe(result.root, in: result.graph),
            "#1=[#1, {'list': #1}, #2=object(m.C, newObject, ())+state(#2)]")
    }

    /// 2^40 paths through one node: the memo writes it once.
    func testDoublingGraphStaysSmall() throws {
        var graph = PickleGraph()
        var value = graph.add(PickleNode(kind: .tuple, items: [.int(7)]))
        for _ in 0..<40 { value = graph.add(PickleNode(kind: .tuple, items: [value, value])) }
        let written = try Pickler.pickle(graph, root: value)
        XCTAssertLessThan(written.count, 400)
        let result = try unpickle(written)
        XCTAssertEqual(result.graph.nodeCount, 41)
    }

    /// A pickle larger than the bytes reserved for its nodes continues in pieces (no array grows by doubling,
    /// which held the old and the new bytes at once): together they are the pickle, a long string stays whole
    /// in a piece of its own size, and no piece is much larger than that or ``PicklerBytes``'s 1 MiB.
    func testALargePickleIsMadeInPiecesThatTogetherAreThePickle() throws {
        var graph = PickleGraph()
        let long = String(repeating: "x", count: 3 << 20)
        let short = (0..<3000).map { PickleValue.string(String(repeating: "k\($0)-", count: 200)) }
        let root = graph.add(PickleNode(kind: .list, items: short + [.string(long)] + short.prefix(5)))
        let pieces = try Pickler.pickleInPieces(graph, root: root)
        XCTAssertGreaterThan(pieces.count, 2)
        let joined = Array(pieces.joined())
        XCTAssertEqual(joined, try Pickler.pickle(graph, root: root))
        // What the allocator adds when it rounds a piece's capacity up is used too: a few KiB.
        let largest = max(1 << 20, long.utf8.count + 5) + (16 << 10)
        XCTAssertTrue(pieces.allSatisfy { $0.count <= largest }, "\(pieces.map(\.count))")
        XCTAssertTrue(pieces.contains { $0.count >= long.utf8.count + 5 })
        let result = try unpickle(joined)
        guard case .node(let list) = result.root else { return XCTFail("not a list") }
        let items = Array(result.graph.items(of: list))
        XCTAssertEqual(items.count, 3006)
        XCTAssertEqual(items[3000], .string(long))
        XCTAssertEqual(items[3003], short[2])
    }

    func testObjectsWrittenAsReduce() throws {
        var graph = PickleGraph()
        let cls = PickleGlobal(module: "m", name: "C")
        let args = graph.add(PickleNode(kind: .tuple, items: [.int(1)]))
        let instantiated = graph.add(PickleNode(kind: .object(cls, .instantiate), args: args))
        let kwargs = graph.add(
            PickleNode(kind: .dict(ordered: false), entries: [PickleDictEntry(key: .string("k"), value: .int(2))]))
        let pair = graph.add(PickleNode(kind: .tuple, items: [args, kwargs]))
        let keywords = graph.add(PickleNode(kind: .object(cls, .newObjectWithKeywords), args: pair))
        let root = graph.add(PickleNode(kind: .list, items: [instantiated, keywords]))
        let written = try Pickler.pickle(graph, root: root)
        XCTAssertEqual(opcodesOfProtocol2Output(written)?.contains(.newObj), false)
        let result = try unpickle(written, policy: UnpicklerPolicy(allowing: ["m.C"]))
        XCTAssertEqual(
            GraphDescription.describe(result.root, in: result.graph),
            "[call(m.C, #1=(1,)), object(m.C, newObjectWithKeywords, (#1, {'k': 2}))]")
    }

    // MARK: Errors, one test each

    func testDanglingNode() {
        XCTAssertThrowsError(try Pickler.pickle(PickleGraph(), root: .node(PickleNodeID(index: 3)))) {
            XCTAssertEqual($0 as? PickleError, .danglingNode(index: 3))
        }
    }

    func testArgumentsNotTuple() {
        var graph = PickleGraph()
        let call = graph.add(PickleNode(kind: .call(PickleGlobal(module: "m", name: "f")), args: .int(1)))
        XCTAssertThrowsError(try Pickler.pickle(graph, root: call)) {
            XCTAssertEqual($0 as? PickleError, .argumentsNotTuple(node: 0))
        }
    }

    func testUnencodableGlobal() {
        var graph = PickleGraph()
        let global = graph.add(PickleNode(kind: .global(PickleGlobal(module: "modèle", name: "f"))))
        XCTAssertThrowsError(try Pickler.pickle(graph, root: global)) {
            XCTAssertEqual($0 as? PickleError, .unencodableGlobal(name: "modèle.f"))
        }
        let newline = graph.add(PickleNode(kind: .global(PickleGlobal(module: "m", name: "a\nb"))))
        XCTAssertThrowsError(try Pickler.pickle(graph, root: newline)) {
            XCTAssertEqual($0 as? PickleError, .unencodableGlobal(name: "m.a\nb"))
        }
    }

    func testIntegerTooLarge() {
        let huge = PickleBigInt(littleEndianBytes: [UInt8](repeating: 0x11, count: 256))
        XCTAssertThrowsError(try Pickler.pickle(PickleGraph(), root: .bigInt(huge))) {
            XCTAssertEqual($0 as? PickleError, .integerTooLarge(byteCount: 256))
        }
        XCTAssertNoThrow(
            try Pickler.pickle(
                PickleGraph(), root: .bigInt(PickleBigInt(littleEndianBytes: [UInt8](repeating: 0x11, count: 255)))))
    }

    func testCycleThroughTupleIsRefused() {
        var graph = PickleGraph()
        let list = graph.add(PickleNode(kind: .list))
        let tuple = graph.add(PickleNode(kind: .tuple, items: [list]))
        graph[PickleNodeID(index: 0)].items = [tuple]
        XCTAssertThrowsError(try Pickler.pickle(graph, root: tuple)) {
            XCTAssertEqual($0 as? PickleError, .cycleThroughImmutable(node: 1))
        }
    }

    func testCycleThroughCallArgumentsIsRefused() {
        var graph = PickleGraph()
        let args = graph.add(PickleNode(kind: .tuple))
        let call = graph.add(PickleNode(kind: .call(PickleGlobal(module: "m", name: "f")), args: args))
        graph[PickleNodeID(index: 0)].items = [call]
        XCTAssertThrowsError(try Pickler.pickle(graph, root: call)) {
            XCTAssertEqual($0 as? PickleError, .cycleThroughImmutable(node: 1))
        }
    }

    func testNestingTooDeep() throws {
        var graph = PickleGraph()
        var value = graph.add(PickleNode(kind: .list))
        for _ in 0..<9 { value = graph.add(PickleNode(kind: .list, items: [value])) }
        XCTAssertNoThrow(try Pickler.pickle(graph, root: value, maximumDepth: 10))
        value = graph.add(PickleNode(kind: .list, items: [value]))
        XCTAssertThrowsError(try Pickler.pickle(graph, root: value, maximumDepth: 10)) {
            XCTAssertEqual($0 as? PickleError, .nestingTooDeep(limit: 10, node: 0))
        }
    }

    /// The pickler is iterative: a depth far beyond any call stack is only a matter of the limit.
    func testDeepGraphDoesNotOverflowTheCallStack() throws {
        var graph = PickleGraph()
        var value = graph.add(PickleNode(kind: .list))
        for _ in 0..<200_000 { value = graph.add(PickleNode(kind: .list, items: [value])) }
        let written = try Pickler.pickle(graph, root: value, maximumDepth: 1_000_000)
        XCTAssertGreaterThan(written.count, 200_000 * 3)
    }
}
