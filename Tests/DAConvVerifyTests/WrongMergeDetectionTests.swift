import DAConvMerge
import DAConvVerify
import TorchCheckpoint
import XCTest
import TestSupport

/// Wrong merges change many weights at once and are caught in every dtype, 16-bit ones included, at every
/// fan-in of the grid: a fold that forgets the gates, the centre term or which branch adds, and the merge
/// of another epoch's weights (each moved by ``epochStep`` of its branch's largest |w|, up or down at
/// random). Smaller moves can pass in 16-bit types: a correct merge may differ from the exact fold by a few
/// units in the last place of every weight (docs/equivalence.md).
final class WrongMergeDetectionTests: XCTestCase {
    enum Mistake: CaseIterable {
        case gatesForgotten, centreTermForgotten, branchesSwapped, anotherEpoch
    }

    /// How far another epoch's weights are moved, as a fraction of the branch's largest |w|.
    static let epochStep: [TorchDType: Double] = [.float64: 1e-6, .float32: 1e-4, .float16: 1e-2, .bfloat16: 5e-2]

    static func wrongMerge(_ layer: NaturalFoldLayer, _ mistake: Mistake) -> MergedConvValues {
        var branches = layer.branches
        switch mistake {
        case .gatesForgotten:
            for i in branches.indices { branches[i].theta = nil }
        case .centreTermForgotten:
            for i in branches.indices { branches[i].kind = .vanilla }
        case .branchesSwapped:
            (branches[0].kind, branches[1].kind) = (branches[1].kind, branches[0].kind)
        case .anotherEpoch:
            var random = SplitMix64(seed: 77)
            for i in branches.indices {
                let step = epochStep[layer.dtype]! * branches[i].weight.map(abs).max()!
                branches[i].weight = branches[i].weight.map { $0 + (random.next() % 2 == 0 ? step : -step) }
            }
        }
        let folded = DAConvFold.fold(branches, shape: layer.shape)
        return MergedConvValues(
            weight: folded.weight.map { NaturalFoldLayer.round($0, to: layer.dtype) }, weightShape: layer.shape,
            bias: folded.bias!.map { NaturalFoldLayer.round($0, to: layer.dtype) }, dtype: layer.dtype)
    }

    func testWrongMergesFailInEveryDtype() {
        for dtype in NaturalFoldToleranceTests.dtypes {
            var smallest: [Mistake: Double] = [:]
            for fanIn in NaturalFoldToleranceTests.fanIns {
                for k in NaturalFoldToleranceTests.kernels {
                    let layer = NaturalFoldLayer(
                        dtype: dtype, out: 4, inPer: NaturalFoldToleranceTests.inputs(fanIn: fanIn, kernel: k),
                        kernel: k, seed: UInt64(fanIn + 3 * k))
                    for mistake in Mistake.allCases {
                        let check = EquivalenceProbe.check(
                            module: "m", original: layer.values, merged: Self.wrongMerge(layer, mistake),
                            geometry: nil, options: ProbeOptions())
                        XCTAssertFalse(check.passed, "\(dtype) fan-in \(fanIn) k=\(k) \(mistake): margin \(check.margin)")
                        smallest[mistake] = min(smallest[mistake] ?? .infinity, check.margin)
                    }
                }
            }
            print(
                "\(dtype.rawValue): smallest margins of wrong merges: "
                    + Mistake.allCases.map { "\($0) \(EquivalenceReport.marginText(smallest[$0]!))" }.joined(separator: ", "))
        }
    }
}
