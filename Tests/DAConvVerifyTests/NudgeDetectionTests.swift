import DAConvVerify
import Foundation
import TorchCheckpoint
import XCTest

@testable import DAConvMerge
import TestSupport

/// What `verify`'s tolerance still catches: one merged weight moved by a fraction of its layer's largest
/// |w|, on top of the least accurate correct merge (step by step in the dtype), at every fan-in, kernel
/// and group count of the grid, and wherever the weight sits in its kernel.
final class NudgeDetectionTests: XCTestCase {
    /// The smallest nudge (fraction of the layer's largest |w|) caught at every position, seed and kernel,
    /// per fan-in, as measured by `testMeasureDetectionFloors` (docs/equivalence.md carries this table).
    static let floors: [TorchDType: [Int: Double]] = [
        .float16: [27: 0.05, 288: 0.1, 2304: 0.2, 4608: 0.2],
        .bfloat16: [27: 0.2, 288: 0.5, 2304: 2, 4608: 2],
    ]
    static let ladder = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]

    struct Case {
        let layer: NaturalFoldLayer
        let groups: Int
        let merged: MergedConvValues
    }

    /// Layers of the grid: every fan-in and kernel, with one group and with several.
    static func cases(_ dtype: TorchDType) -> [Case] {
        var cases: [Case] = []
        for fanIn in NaturalFoldToleranceTests.fanIns {
            for k in NaturalFoldToleranceTests.kernels {
                for groups in [1, 4] {
                    let inPer = NaturalFoldToleranceTests.inputs(fanIn: fanIn, kernel: k)
                    let layer = NaturalFoldLayer(
                        dtype: dtype, out: 4, inPer: inPer, kernel: k, seed: UInt64(fanIn * 31 + k * 7 + groups))
                    cases.append(Case(layer: layer, groups: groups, merged: layer.merged(.stepByStep(.centreFirst))))
                }
            }
        }
        return cases
    }

    /// Positions to nudge: the first kernel's centre and corner, the last kernel's far corner, and one
    /// chosen at random.
    static func positions(_ shape: [Int], seed: UInt64) -> [Int] {
        let taps = shape[2] * shape[3]
        let count = shape.reduce(1, *)
        var random = SplitMix64(seed: seed)
        return [(shape[2] / 2) * shape[3] + shape[3] / 2, 0, count - 1, Int(random.next() % UInt64(count)), count - taps]
    }

    /// The check of `merged` with one weight moved by `fraction` of the largest |w| (both signs tried by
    /// alternating with the seed).
    static func check(_ c: Case, at position: Int, fraction: Double, seed: UInt64) -> LayerCheck {
        var merged = c.merged
        let scale = merged.weight.map(abs).max()!
        merged.weight[position] += (seed % 2 == 0 ? 1 : -1) * fraction * scale
        merged.weight[position] = NaturalFoldLayer.round(merged.weight[position], to: c.layer.dtype)
        let k = c.layer.shape[2]
        let geometry = ModuleGeometry(
            stride: [1, 1], padding: [k / 2, k / 2], dilation: [1, 1], groups: c.groups, paddingMode: "zeros")
        return EquivalenceProbe.check(
            module: "m", original: c.layer.values, merged: merged, geometry: geometry,
            options: ProbeOptions(seed: seed))
    }

    func testAThousandthOfTheLargestWeightIsCaughtInFloat32AndFloat64() {
        for dtype in [TorchDType.float32, .float64] {
            var smallest = Double.infinity
            for c in Self.cases(dtype) {
                for seed in [UInt64(1), 2, 3] {
                    for position in Self.positions(c.layer.shape, seed: seed) {
                        let check = Self.check(c, at: position, fraction: 1e-3, seed: seed)
                        XCTAssertFalse(
                            check.passed,
                            "\(dtype) \(c.layer.shape) groups \(c.groups) position \(position) seed \(seed): margin \(check.margin)"
                        )
                        smallest = min(smallest, check.margin)
                    }
                }
            }
            print("\(dtype.rawValue): smallest margin of a caught 1e-3 nudge: \(EquivalenceReport.marginText(smallest))")
        }
    }

    func testNudgesAtTheDocumentedFloorsAreCaughtInFloat16AndBfloat16() {
        for (dtype, floors) in Self.floors {
            var smallest = Double.infinity
            for c in Self.cases(dtype) {
                let fanIn = NaturalFoldToleranceTests.fanIns.first { fanIn in
                    NaturalFoldToleranceTests.inputs(fanIn: fanIn, kernel: c.layer.shape[2]) == c.layer.shape[1]
                }!
                for seed in [UInt64(1), 2, 3] {
                    for position in Self.positions(c.layer.shape, seed: seed) {
                        let check = Self.check(c, at: position, fraction: floors[fanIn]!, seed: seed)
                        XCTAssertFalse(
                            check.passed,
                            "\(dtype) fan-in \(fanIn) \(c.layer.shape) groups \(c.groups) position \(position): margin \(check.margin)"
                        )
                        smallest = min(smallest, check.margin)
                    }
                }
            }
            print("\(dtype.rawValue): smallest margin of a caught nudge at the floors: \(EquivalenceReport.marginText(smallest))")
        }
    }

    /// Prints the detection floors (`MERGE_DACONV_MEASURE_FLOORS=1 swift test --filter NudgeDetectionTests`):
    /// per fan-in, the smallest step of the ladder caught at every case, position and seed.
    func testMeasureDetectionFloors() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["MERGE_DACONV_MEASURE_FLOORS"] == "1", "a measurement, not a check")
        for dtype in [TorchDType.float32, .float16, .bfloat16] {
            for fanIn in NaturalFoldToleranceTests.fanIns {
                let cases = Self.cases(dtype).filter {
                    NaturalFoldToleranceTests.inputs(fanIn: fanIn, kernel: $0.layer.shape[2]) == $0.layer.shape[1]
                }
                let floor = Self.ladder.first { fraction in
                    cases.allSatisfy { c in
                        (1...5).allSatisfy { seed in
                            Self.positions(c.layer.shape, seed: UInt64(seed)).allSatisfy {
                                !Self.check(c, at: $0, fraction: fraction, seed: UInt64(seed)).passed
                            }
                        }
                    }
                }
                print("floor \(dtype.rawValue) fan-in \(fanIn): \(floor.map { "\($0)" } ?? "not caught at 5")")
            }
        }
    }
}
