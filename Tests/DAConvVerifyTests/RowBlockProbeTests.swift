import XCTest

@testable import DAConvMerge
@testable import DAConvVerify

/// A merge probed block by block (as the merge folds, reading its branches in runs) must report exactly what
/// the probe of the whole weights reports: every figure of the check, bit for bit.
final class RowBlockProbeTests: XCTestCase {
    struct Module {
        let shape: [Int]
        let kinds: [DAConvRules.Kind]
        let geometry: ModuleGeometry?
        let biased: Bool
    }

    static let modules: [Module] = [
        Module(shape: [53, 20, 3, 3], kinds: [.add, .difference], geometry: nil, biased: true),
        Module(shape: [24, 16, 5, 5], kinds: [.add, .difference, .vanilla], geometry: nil, biased: false),
        Module(
            shape: [30, 4, 3, 3], kinds: [.difference, .add],
            geometry: ModuleGeometry(stride: [2, 2], padding: [2, 2], dilation: [2, 2], groups: 3, paddingMode: "zeros"),
            biased: true),
        Module(
            shape: [12, 6, 3, 5], kinds: [.vanilla],
            geometry: ModuleGeometry(
                stride: [1, 2], padding: [1, 2], dilation: [1, 1], groups: 2, paddingMode: "zeros"), biased: true),
    ]

    func testBlocksReportWhatTheWholeWeightsReport() throws {
        var state: UInt64 = 0x0B10_C5EE
        func value() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
        var options = ProbeOptions()
        options.origin = .roundedOnce
        for module in Self.modules {
            let count = module.shape.reduce(1, *)
            let branches = module.kinds.enumerated().map { index, kind in
                ProbeModule<Float>.Branch(
                    kind: kind, gate: 0.3 + 0.2 * Double(index), weight: (0..<count).map { _ in value() },
                    bias: module.biased ? (0..<module.shape[0]).map { _ in value() } : nil)
            }
            let mergedBias =
                module.biased
                ? (0..<module.shape[0]).map { o in Float(branches.reduce(0.0) { $0 + $1.gate * Double($1.bias![o]) }) } : nil
            let (weight, statistics) = FastFold.foldFloat32WithStatistics(
                branches: branches.map { FastFold.Branch(kind: $0.kind, gate: $0.gate, weight: $0.weight) }, shape: module.shape)
            let whole = EquivalenceProbe.check(
                module: "m",
                probe: ProbeModule(
                    branches: branches, mergedWeight: weight, mergedBias: mergedBias, shape: module.shape, statistics: statistics),
                dtype: .float32, geometry: module.geometry, options: options)
            let probe = try XCTUnwrap(
                RowBlockProbe(module: "m", shape: module.shape, kinds: module.kinds, geometry: module.geometry, options: options))
            let perRow = count / module.shape[0]
            let (blockWeight, norms) = FastFold.foldFloat32ByRowBlocks(
                branches: branches.map { ($0.kind, $0.gate) }, shape: module.shape, rowsPerBlock: 7
            ) { rows, buffers in
                for index in branches.indices {
                    let values = branches[index].weight[(rows.lowerBound * perRow)..<(rows.upperBound * perRow)]
                    buffers[index].replaceSubrange(0..<values.count, with: values)
                }
            } use: { block in
                probe.multiply(block, biases: branches.map(\.bias), mergedBias: mergedBias)
            }
            XCTAssertEqual(blockWeight, weight)
            let blocks = probe.check(
                ProbeModule(
                    branches: branches.map { .init(kind: $0.kind, gate: $0.gate, weight: [], bias: $0.bias) }, mergedWeight: [],
                    mergedBias: mergedBias, shape: module.shape, statistics: norms),
                dtype: .float32)
            XCTAssertTrue(whole.passed, "\(module.shape)")
            XCTAssertEqual(blocks, whole, "\(module.shape) \(module.kinds)")
            XCTAssertEqual(blocks.maxAbsError.bitPattern, whole.maxAbsError.bitPattern)
            XCTAssertEqual(blocks.tolerance.bitPattern, whole.tolerance.bitPattern)
        }
    }

    func testOnlyTheRoundedOnceBoundIsProbedByBlocks() {
        XCTAssertNil(
            RowBlockProbe(module: "m", shape: [4, 2, 3, 3], kinds: [.add], geometry: nil, options: ProbeOptions()),
            "verify's bound for any natural fold reads every branch weight")
    }
}
