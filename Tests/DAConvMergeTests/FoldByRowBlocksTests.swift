import XCTest

@testable import DAConvMerge
import TestSupport

/// Folding a module a block of output channels at a time (as the merge does, reading the branches in runs)
/// must give the whole fold's weight and norms bit for bit, and each block's tap sums must be the whole
/// fold's tap sums of those channels: the probe builds its reference from them.
final class FoldByRowBlocksTests: XCTestCase {
    func testBlocksGiveTheWholeFoldBitForBit() {
        var generator = SplitMix64(seed: 0xB10C_0001)
        for (trial, shape) in (FastFoldTests.shapes + [[53, 4, 3, 3], [20, 3, 5, 3]]).enumerated() {
            let branches = FastFoldTestData.randomBranches(shape: shape, count: 1 + trial % 3, using: &generator).map(\.fast)
            let (expected, statistics) = FastFold.foldFloat32WithStatistics(branches: branches, shape: shape)
            let perRow = shape.dropFirst().reduce(1, *)
            let kernelsPerRow = shape[1]
            for rowsPerBlock in [1, 3, 8, 24, max(1, shape[0])] {
                let label = "shape \(shape) kinds \(branches.map(\.kind)) blocks of \(rowsPerBlock)"
                var seen: [Range<Int>] = []
                var tapSums = Array(repeating: [Double](), count: branches.count)
                let (weight, norms) = FastFold.foldFloat32ByRowBlocks(
                    branches: branches.map { ($0.kind, $0.gate) }, shape: shape, rowsPerBlock: rowsPerBlock
                ) { rows, buffers in
                    for index in branches.indices {
                        let values = branches[index].weight[(rows.lowerBound * perRow)..<(rows.upperBound * perRow)]
                        buffers[index].replaceSubrange(0..<values.count, with: values)
                    }
                } use: { block in
                    seen.append(block.rows)
                    XCTAssertEqual(
                        block.merged.map(\.bitPattern),
                        expected[(block.rows.lowerBound * perRow)..<(block.rows.upperBound * perRow)].map(\.bitPattern), label)
                    for index in branches.indices {
                        XCTAssertEqual(block.branches[index].count, block.rows.count * perRow, label)
                        XCTAssertEqual(block.tapSums[index].count, block.rows.count * kernelsPerRow, label)
                        tapSums[index] += block.tapSums[index]
                    }
                }
                XCTAssertEqual(seen.map(\.count).reduce(0, +), shape[0], label)
                XCTAssertEqual(weight.map(\.bitPattern), expected.map(\.bitPattern), label)
                XCTAssertEqual(norms.mergedL2.map(\.bitPattern), statistics.mergedL2.map(\.bitPattern), label)
                XCTAssertEqual(norms.mergedL1.map(\.bitPattern), statistics.mergedL1.map(\.bitPattern), label)
                XCTAssertEqual(
                    norms.branchL1.map { $0.map(\.bitPattern) }, statistics.branchL1.map { $0.map(\.bitPattern) }, label)
                XCTAssertEqual(tapSums.map { $0.map(\.bitPattern) }, statistics.tapSums.map { $0.map(\.bitPattern) }, label)
                XCTAssertTrue(norms.tapSums.isEmpty, "the blocks' tap sums are not kept")
            }
        }
    }

    func testAReadErrorStopsTheFold() {
        struct Unreadable: Error {}
        let shape = [10, 2, 3, 3]
        var blocks = 0
        XCTAssertThrowsError(
            try FastFold.foldFloat32ByRowBlocks(branches: [(.add, 0.5)], shape: shape, rowsPerBlock: 4) { rows, _ in
                if rows.lowerBound > 0 { throw Unreadable() }
            } use: { _ in
                blocks += 1
            }
        ) { XCTAssertTrue($0 is Unreadable) }
        XCTAssertEqual(blocks, 1, "no block after the failed read is used")
    }
}
