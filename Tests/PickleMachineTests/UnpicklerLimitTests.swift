import PickleMachine
import XCTest

/// Each limit of UnpicklerLimits, triggered with a small bound, and the hostile shapes the
/// defaults must stop quickly.
final class UnpicklerLimitTests: XCTestCase {
    private func limits(_ change: (inout UnpicklerLimits) -> Void) -> UnpicklerLimits {
        var limits = UnpicklerLimits.standard
        change(&limits)
        return limits
    }

    func testStackSize() {
        assertUnpickleFails(
            hex("4e 4e 4e 4e"), .limitExceeded(.stackSize, value: 4, offset: 3), limits: limits { $0.maxStackSize = 3 })
    }

    func testMarkDepth() {
        assertUnpickleFails(
            hex("28 28 28"), .limitExceeded(.markDepth, value: 3, offset: 2), limits: limits { $0.maxMarkDepth = 2 })
    }

    func testMemoEntries() {
        let bytes = hex("4e 71 00 71 01 71 01 71 02")
        assertUnpickleFails(bytes, .limitExceeded(.memoEntries, value: 3, offset: 7), limits: limits { $0.maxMemoEntries = 2 })
    }

    func testNodeCount() {
        assertUnpickleFails(
            hex("5d 7d 5d"), .limitExceeded(.nodeCount, value: 3, offset: 2), limits: limits { $0.maxNodeCount = 2 })
    }

    func testContainerItems() {
        let appended = hex("5d 4e 61 4e 61 4e 61")
        assertUnpickleFails(
            appended, .limitExceeded(.containerItems, value: 3, offset: 6), limits: limits { $0.maxContainerItems = 2 })
        let built = hex("28 4e 4e 4e 74")
        assertUnpickleFails(
            built, .limitExceeded(.containerItems, value: 3, offset: 4), limits: limits { $0.maxContainerItems = 2 })
    }

    func testTotalItems() {
        let bytes = hex("4e 4e 86 4e 4e 86")
        assertUnpickleFails(bytes, .limitExceeded(.totalItems, value: 4, offset: 5), limits: limits { $0.maxTotalItems = 3 })
    }

    /// A set built from a list copies its items: the copy counts too, so repeating it cannot amplify memory.
    func testTotalItemsCountsDataConstructorCopies() {
        let bytes =
            hex("80 02 5d 71 00 28 4e 4b 01 4b 02 65") + ascii("c__builtin__\nset\n") + hex("71 01 68 00 85 52 68 01 68 00 85 52")
        assertUnpickleFails(bytes, .limitExceeded(.totalItems, value: 10, offset: 40), limits: limits { $0.maxTotalItems = 9 })
    }

    func testNestingDepthAtConstruction() {
        let bytes = hex("4e 85 85 85 85")
        assertUnpickleFails(bytes, .limitExceeded(.nestingDepth, value: 4, offset: 4), limits: limits { $0.maxNestingDepth = 3 })
    }

    func testNestingDepthAtMutation() {
        // [[[[]]]] built bottom-up: each list receives its child once the child is complete.
        let bytes = hex("5d 5d 5d 5d 61 61 61")
        assertUnpickleFails(bytes, .limitExceeded(.nestingDepth, value: 4, offset: 6), limits: limits { $0.maxNestingDepth = 3 })
    }

    /// Lists appended to their parent while still empty and filled later through the memo: only
    /// the measure at STOP sees the depth.
    func testNestingDepthAtStop() {
        var bytes = hex("5d 71 00")
        for i in 1...3 {
            bytes += hex("5d 71") + [UInt8(i)] + hex("68") + [UInt8(i - 1)] + hex("68") + [UInt8(i)] + hex("61 30 30")
        }
        bytes += hex("68 00 2e")
        XCTAssertNoThrow(try Unpickler.unpickle(bytes, policy: .dataOnly, limits: limits { $0.maxNestingDepth = 4 }))
        assertUnpickleFails(
            bytes, .limitExceeded(.nestingDepth, value: 4, offset: bytes.count - 1), limits: limits { $0.maxNestingDepth = 3 })
    }

    func testStringLength() {
        assertUnpickleFails(
            hex("8c 05 61 62 63 64 65"), .limitExceeded(.stringLength, value: 5, offset: 0),
            limits: limits { $0.maxStringLength = 4 })
        assertUnpickleFails(
            ascii("Vabcde\n"), .limitExceeded(.stringLength, value: 5, offset: 0), limits: limits { $0.maxStringLength = 4 })
    }

    func testFrameLength() {
        let bytes = hex("95 10 00 00 00 00 00 00 00") + [UInt8](repeating: 0x4E, count: 15) + hex("2e")
        assertUnpickleFails(bytes, .limitExceeded(.frameLength, value: 16, offset: 0), limits: limits { $0.maxFrameLength = 8 })
    }

    func testIntegerBytes() {
        let integerLimit = limits { $0.maxIntegerBytes = 4 }
        assertUnpickleFails(hex("8a 05 01 02 03 04 05"), .limitExceeded(.integerBytes, value: 5, offset: 0), limits: integerLimit)
        assertUnpickleFails(ascii("L4294967296\n"), .limitExceeded(.integerBytes, value: 5, offset: 0), limits: integerLimit)
        assertUnpickleFails(
            ascii("I0x" + String(repeating: "f", count: 100) + "\n"), .limitExceeded(.integerBytes, value: 52, offset: 0),
            limits: integerLimit)
    }

    // MARK: Hostile shapes at the default limits

    /// No time is asserted (the machine is shared): a walk quadratic in the chain would not finish, and the
    /// suite would hang instead of passing.
    func testTupleChain500kDeepIsRefusedQuickly() {
        let bytes = hex("80 02 4e") + [UInt8](repeating: 0x85, count: 500_000) + hex("2e")
        assertUnpickleFails(bytes, .limitExceeded(.nestingDepth, value: 1001, offset: 1003))
    }

    /// 500k lists, each appended to its parent while empty, then filled through the memo.
    func testListChainThroughMemo500kDeepIsRefusedWithoutCrashing() {
        var bytes = hex("80 02 5d 72 00 00 00 00")
        bytes.reserveCapacity(500_000 * 20 + 16)
        for i in 1...500_000 {
            bytes.append(contentsOf: [0x5D, 0x72])
            appendLE32(i, to: &bytes)
            bytes.append(0x6A)
            appendLE32(i - 1, to: &bytes)
            bytes.append(0x6A)
            appendLE32(i, to: &bytes)
            bytes.append(contentsOf: [0x61, 0x30, 0x30])
        }
        bytes += hex("6a 00 00 00 00 2e")
        let start = ContinuousClock.now
        defer { print("500k list chain through the memo refused in \(ContinuousClock.now - start)") }
        assertUnpickleFails(bytes, .limitExceeded(.nestingDepth, value: 1001, offset: bytes.count - 1))
    }

    func testMarks500kDeepAreRefused() {
        let bytes = [UInt8](repeating: 0x28, count: 500_000)
        assertUnpickleFails(bytes, .limitExceeded(.markDepth, value: 10_001, offset: 10_000))
    }

    /// One node reused through the memo 40 levels deep has 2^40 paths; it parses, measures and
    /// serves as a dict key (in milliseconds; no time is asserted: a walk of every path would not finish).
    func testDoublingThroughMemoParsesQuickly() throws {
        var bytes = hex("80 02 4b 07 85 71 00")
        for level in 1...40 {
            bytes += hex("68") + [UInt8(level - 1)] + hex("68") + [UInt8(level - 1)] + hex("86 71") + [UInt8(level)]
        }
        bytes += hex("30 7d 68 28 4e 73 68 28 4e 73 2e")
        let result = try Unpickler.unpickle(bytes, policy: .dataOnly)
        guard case .node(let dict) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[dict].entries.count, 1, "the same tuple twice is one key")
        XCTAssertEqual(result.graph.nodeCount, 42)
    }

    func testSelfReferenceIsAccepted() throws {
        let result = try Unpickler.unpickle(hex("80 02 5d 71 00 68 00 61 2e"), policy: .dataOnly)
        guard case .node(let list) = result.root else { return XCTFail("root is not a node") }
        XCTAssertEqual(result.graph[list].items, [result.root])
    }

    private func appendLE32(_ value: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
