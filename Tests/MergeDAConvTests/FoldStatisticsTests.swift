import MergeDAConv
import XCTest

@testable import DAConvVerify

/// The statistics the float32 merge takes while folding must be the very numbers the probe would compute
/// on its own (the tolerance and the 1x1 reference kernels come from them), and the weight the plain fold's.
final class FoldStatisticsTests: XCTestCase {
    func testStatisticsAreTheSeparateReductionsBitForBit() {
        var state: UInt64 = 0x5747_1571
        func value() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 250_000
        }
        // Rows of fewer and more than the kernel's block of eight, 1x1 to 5x5 kernels, 0 to 3 branches.
        let shapes: [[Int]] = [[1, 1, 1, 1], [3, 2, 3, 3], [9, 5, 3, 3], [17, 3, 5, 5], [8, 4, 1, 3], [0, 2, 3, 3]]
        let kinds: [DAConvRules.Kind] = [.add, .difference, .vanilla]
        for (trial, shape) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            let branches = (0..<(trial % 4)).map { index in
                FastFold.Branch(kind: kinds[index % 3], theta: Double(index) - 0.7, weight: (0..<count).map { _ in value() })
            }
            let (weight, statistics) = FastFold.foldFloat32WithStatistics(branches: branches, shape: shape)
            let plain = FastFold.foldFloat32(branches: branches, shape: shape)
            XCTAssertEqual(weight.map(\.bitPattern), plain.map(\.bitPattern), "shape \(shape)")
            let rows = shape[0]
            let perRow = count / max(rows, 1)
            let taps = shape[2] * shape[3]
            let merged = ReductionKernels.rowNorms(plain, rows: rows, cols: perRow)
            XCTAssertEqual(statistics.mergedL2.map(\.bitPattern), merged.l2.map(\.bitPattern), "shape \(shape)")
            XCTAssertEqual(statistics.mergedL1.map(\.bitPattern), merged.l1.map(\.bitPattern), "shape \(shape)")
            XCTAssertEqual(statistics.tapSums.count, branches.count)
            for (index, branch) in branches.enumerated() {
                XCTAssertEqual(
                    statistics.tapSums[index].map(\.bitPattern),
                    ReductionKernels.tapSums(branch.weight, taps: taps).map(\.bitPattern), "shape \(shape) branch \(index)")
                XCTAssertEqual(
                    statistics.branchL1[index].map(\.bitPattern),
                    ReductionKernels.rowNorms(branch.weight, rows: rows, cols: perRow).l1.map(\.bitPattern),
                    "shape \(shape) branch \(index)")
            }
        }
    }
}
