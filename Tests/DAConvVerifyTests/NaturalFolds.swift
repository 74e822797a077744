import DAConvMerge
import DAConvVerify
import Foundation
import TorchCheckpoint
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// DAConv layers as training leaves them, and the merges other people's code makes of them: the fold in
/// float64 rounded once, and the fold computed step by step in the layer's own dtype as the release's
/// `re_para` does with torch (tap sums accumulated in float32 for 16-bit types, as torch's CPU and CUDA
/// reductions do; every other step rounded to the dtype).
struct NaturalFoldLayer {
    enum Order: CaseIterable {
        /// `W_b + centre(sum W_b)` per branch, then the gates, then the branch sum (the release's order).
        case centreFirst
        /// The gated branch sum first, then the gated tap sums added at the centre.
        case gateFirst
    }

    enum Origin: CustomStringConvertible {
        case roundedOnce
        case stepByStep(Order)

        static let all: [Origin] = [.roundedOnce, .stepByStep(.centreFirst), .stepByStep(.gateFirst)]

        var description: String {
            switch self {
            case .roundedOnce: return "float64 rounded once"
            case .stepByStep(let order): return "step by step (\(order))"
            }
        }
    }

    let dtype: TorchDType
    let shape: [Int]
    /// The branches, every value representable in `dtype`.
    let branches: [DAConvFold.Branch]

    /// A layer of `out` channels, `inPer` inputs per group and a `k`x`k` kernel, initialised as torch's
    /// `nn.Conv2d` does (uniform in +-1/sqrt(fan_in)), with the DA branch larger than the CA one so that
    /// their centre terms partly cancel, and gates away from 0.5 (where products are exact).
    init(dtype: TorchDType, out: Int, inPer: Int, kernel k: Int, seed: UInt64) {
        self.dtype = dtype
        shape = [out, inPer, k, k]
        var random = SplitMix64(seed: seed)
        let count = shape.reduce(1, *)
        let scale = 1 / Double(inPer * k * k).squareRoot()
        func values(_ n: Int, _ s: Double) -> [Double] {
            (0..<n).map { _ in Self.round((random.unit() * 2 - 1) * s, to: dtype) }
        }
        let thetas = [Self.round(random.unit() * 3 - 1.5, to: dtype), Self.round(random.unit() * 3 - 1.5, to: dtype)]
        branches = [
            DAConvFold.Branch(kind: .add, theta: thetas[0], weight: values(count, scale), bias: values(out, scale)),
            DAConvFold.Branch(kind: .difference, theta: thetas[1], weight: values(count, 1.7 * scale), bias: values(out, scale)),
        ]
    }

    var values: DAConvValues { DAConvValues(branches: branches, shape: shape, dtype: dtype) }

    /// The merged conv's weight and bias as `origin` computes them.
    func merged(_ origin: Origin) -> MergedConvValues {
        let (weight, bias): ([Double], [Double])
        switch origin {
        case .roundedOnce:
            let folded = DAConvFold.fold(branches, shape: shape)
            (weight, bias) = (folded.weight.map { Self.round($0, to: dtype) }, folded.bias!.map { Self.round($0, to: dtype) })
        case .stepByStep(let order):
            (weight, bias) = (stepByStepWeight(order), stepByStepBias())
        }
        return MergedConvValues(weight: weight, weightShape: shape, bias: bias, dtype: dtype)
    }

    /// The gate as torch computes `sigmoid(theta)` in the dtype (16-bit types in float32, then rounded).
    private func gate(_ branch: DAConvFold.Branch) -> Double {
        guard dtype != .float64 else { return 1 / (1 + Foundation.exp(-branch.theta!)) }
        return Self.round(Double(1 / (1 + Foundation.exp(-Float(branch.theta!)))), to: dtype)
    }

    /// `sum_hw W` of one kernel: accumulated in float32 for 16-bit types, in the dtype otherwise, then rounded.
    private func tapSum(_ weight: [Double], start: Int, taps: Int) -> Double {
        var sum = 0.0
        for tap in 0..<taps {
            sum = dtype == .float64 ? sum + weight[start + tap] : Double(Float(sum) + Float(weight[start + tap]))
        }
        return Self.round(sum, to: dtype)
    }

    private func stepByStepWeight(_ order: Order) -> [Double] {
        let taps = shape[2] * shape[3]
        let centre = (shape[2] / 2) * shape[3] + shape[3] / 2
        let r = { (x: Double) in Self.round(x, to: self.dtype) }
        let gates = branches.map(gate)
        var result = [Double](repeating: 0, count: shape.reduce(1, *))
        for start in stride(from: 0, to: result.count, by: taps) {
            let sums = branches.map { tapSum($0.weight, start: start, taps: taps) }
            for tap in 0..<taps {
                let i = start + tap
                switch order {
                case .centreFirst:
                    var total = 0.0
                    for (b, branch) in branches.enumerated() {
                        var w = branch.weight[i]
                        if tap == centre { w = r(branch.kind == .add ? w + sums[b] : w - sums[b]) }
                        total = b == 0 ? r(gates[b] * w) : r(total + r(gates[b] * w))
                    }
                    result[i] = total
                case .gateFirst:
                    var total = r(r(gates[0] * branches[0].weight[i]) + r(gates[1] * branches[1].weight[i]))
                    if tap == centre { total = r(total + r(r(gates[0] * sums[0]) - r(gates[1] * sums[1]))) }
                    result[i] = total
                }
            }
        }
        return result
    }

    private func stepByStepBias() -> [Double] {
        let gates = branches.map(gate)
        return (0..<shape[0]).map { o in
            Self.round(
                Self.round(gates[0] * branches[0].bias![o], to: dtype) + Self.round(gates[1] * branches[1].bias![o], to: dtype),
                to: dtype)
        }
    }

    /// `value` rounded once to nearest (even) in `dtype`.
    static func round(_ value: Double, to dtype: TorchDType) -> Double {
        switch dtype {
        case .float64: return value
        case .float32: return Double(Float(value))
        case .float16: return Double(Float16(value))
        case .bfloat16: return Double(Float(bitPattern: UInt32(ScalarConversion.bfloat16Bits(value)) << 16))
        default: preconditionFailure("a floating dtype")
        }
    }
}

