import DAConvVerify
import TorchCheckpoint
import XCTest

@testable import DAConvMerge

/// `verify`'s derived tolerance accepts every merge by the natural formula (float64 rounded once, or step
/// by step in the dtype, in either order), at every dtype, fan-in, kernel, seed and probe size of the grid.
/// Layers have few output channels and wide inputs: large fan-ins at little cost.
final class NaturalFoldToleranceTests: XCTestCase {
    static let dtypes: [TorchDType] = [.float32, .float16, .bfloat16, .float64]
    static let fanIns = [27, 288, 2304, 4608]
    static let kernels = [3, 5]

    /// `in/groups` for a fan-in and kernel (the nearest whole number of channels: 27 with k=5 is 1 x 25).
    static func inputs(fanIn: Int, kernel: Int) -> Int { max(1, Int((Double(fanIn) / Double(kernel * kernel)).rounded())) }

    static func options(seed: UInt64, batch: Int = 2, size: Int? = nil) -> ProbeOptions {
        ProbeOptions(batch: batch, size: size, seed: seed)
    }

    func testEveryNaturalMergePassesAtEverySeedAndProbeSize() throws {
        var largest: [TorchDType: Double] = [:]
        var checked = 0
        for dtype in Self.dtypes {
            for fanIn in Self.fanIns {
                for k in Self.kernels {
                    let layer = NaturalFoldLayer(
                        dtype: dtype, out: fanIn < 1000 ? 8 : 3, inPer: Self.inputs(fanIn: fanIn, kernel: k),
                        kernel: k, seed: UInt64(fanIn * 10 + k))
                    for origin in NaturalFoldLayer.Origin.all {
                        let merged = layer.merged(origin)
                        for (seed, batch, size) in [(UInt64(1), 2, nil), (2, 2, 16), (3, 3, 11), (4, 1, 24)]
                            as [(UInt64, Int, Int?)]
                        {
                            let check = EquivalenceProbe.check(
                                module: "m", original: layer.values, merged: merged, geometry: nil,
                                options: Self.options(seed: seed &* 7919 &+ UInt64(fanIn), batch: batch, size: size))
                            XCTAssertTrue(
                                check.passed,
                                "\(dtype) fan-in \(fanIn) k=\(k) \(origin) seed \(seed) size \(size ?? 0): margin \(check.margin)"
                            )
                            largest[dtype] = max(largest[dtype] ?? 0, check.margin)
                            checked += 1
                        }
                    }
                }
            }
        }
        print(
            "natural merges checked: \(checked); largest margin per dtype: "
                + Self.dtypes.map { "\($0.rawValue) \(EquivalenceReport.marginText(largest[$0] ?? 0))" }.joined(separator: ", "))
    }

    /// The merge's own check: its fold rounded once, held to the tighter bound, still never fails it.
    func testTheMergesOwnCheckPassesItsOwnFoldAtEveryProbeSize() throws {
        for dtype in Self.dtypes {
            for (fanIn, k) in [(27, 3), (2304, 3), (4608, 5)] {
                let layer = NaturalFoldLayer(
                    dtype: dtype, out: 4, inPer: Self.inputs(fanIn: fanIn, kernel: k), kernel: k, seed: UInt64(fanIn + k))
                for (seed, batch, size) in [(UInt64(5), 2, nil), (6, 4, 16), (7, 2, 32)] as [(UInt64, Int, Int?)] {
                    var options = Self.options(seed: seed, batch: batch, size: size)
                    options.origin = .roundedOnce
                    let check = EquivalenceProbe.check(
                        module: "m", original: layer.values, merged: layer.merged(.roundedOnce),
                        geometry: nil, options: options)
                    XCTAssertTrue(check.passed, "\(dtype) fan-in \(fanIn) k=\(k) seed \(seed): margin \(check.margin)")
                    XCTAssertTrue(check.toleranceRule.hasPrefix("z(N) * u * max_o ||W_o||_2"), check.toleranceRule)
                }
            }
        }
    }

    /// The tighter bound is tighter: a step-by-step merge, fine for `verify`, may exceed what the merge
    /// holds its own fold to, which is why `verify` does not use it.
    func testVerifysBoundIsLooserThanTheMergesOwn() throws {
        let layer = NaturalFoldLayer(dtype: .float32, out: 4, inPer: 256, kernel: 3, seed: 9)
        var own = Self.options(seed: 1)
        own.origin = .roundedOnce
        let merged = layer.merged(.stepByStep(.centreFirst))
        let natural = EquivalenceProbe.check(
            module: "m", original: layer.values, merged: merged, geometry: nil, options: Self.options(seed: 1))
        let tight = EquivalenceProbe.check(module: "m", original: layer.values, merged: merged, geometry: nil, options: own)
        XCTAssertEqual(natural.maxAbsError, tight.maxAbsError)
        XCTAssertGreaterThan(natural.tolerance, 4 * tight.tolerance)
    }

    /// z(N) grows with the number of outputs compared, as the largest of N normal variables does.
    func testDeviationsGrowWithTheOutputsCompared() {
        XCTAssertEqual(ProbeTolerance.deviations(outputs: 1), (2 * 9 * log(10.0)).squareRoot(), accuracy: 1e-12)
        XCTAssertLessThan(ProbeTolerance.deviations(outputs: 1_000), ProbeTolerance.deviations(outputs: 1_000_000))
        XCTAssertEqual(ProbeTolerance.deviations(outputs: 262_144), 8.15, accuracy: 0.01)
    }
}
