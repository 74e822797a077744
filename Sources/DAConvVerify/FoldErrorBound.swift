import ConvEngine
import DAConvMerge

/// A bound, per merged weight, on how far a fold by the natural formula can be from the exact fold when
/// every step is rounded to the dtype: `|E| <= u * B`, to first order in u. Each rounded step moves its
/// result `v` by at most `u|v|`, and that error reaches the merged weight scaled by what multiplies it
/// later (a branch's gate). `B` sums those magnitudes, taken from the exact intermediate values, over the
/// steps of either natural order:
/// - the release's: `W'_b = W_b +/- centre(sum_hw W_b)`, then `s_b * W'_b`, then the branch sum;
/// - gates first: `sum_b s_b W_b`, then `sum_b +/- s_b sum_hw W_b` added at the centre.
///
/// Two steps are shared by many weights: the gate `sigmoid(theta)` (error `c u s_b`, c = 4 for torch's
/// float32 and float64 kernels, 1 for 16-bit types, which torch computes in float32 and rounds once) and
/// the tap sum, whose error in any summation order is at most `(kh*kw - 1) u_acc sum_hw|W_b|` plus one
/// rounding `u |sum_hw W_b|` when it is accumulated in a finer type (torch sums 16-bit types in float32).
/// Rounding the exact fold once is within `u|W|`, which every `B` includes, so one bound covers both kinds
/// of merge. Measured errors stay well inside it (docs/equivalence.md).
struct FoldErrorBound {
    /// `c`: the gate's error over u.
    let gateError: Double
    /// The tap sum's error over u: times `sum_hw|W|`, and times `|sum_hw W|`.
    let tapSumOnMagnitudes: Double
    let tapSumOnSum: Double
    /// 1 when the merge may have stored its fold in a dtype other than the one it folded in: one more rounding.
    let conversion: Double

    init(dtypeName: String, taps: Int, converted: Bool) {
        let u = ProbeTolerance.unitRoundoff(dtypeName)
        let u32 = ProbeTolerance.unitRoundoff("float32")
        let accumulation = min(u, u32)
        gateError = accumulation < u ? 1 + 4 * accumulation / u : 4
        tapSumOnMagnitudes = Double(taps - 1) * accumulation / u
        tapSumOnSum = accumulation < u ? 1 : 0
        conversion = converted ? 1 : 0
    }

    /// `max_o ||B_o||_2` over the output channels (the C kernel reads each weight once).
    func maxRowNorm<W: ProbeWeightScalar>(_ branches: [ProbeModule<W>.Branch], shape: [Int]) -> Double {
        ReductionKernels.foldErrorBound(
            weights: branches.map { $0.weight as? [Double] ?? $0.weight.map(Double.init) }, gates: branches.map(\.gate),
            signs: branches.map { $0.kind == .vanilla ? 0 : ($0.kind == .difference ? -1 : 1) },
            rows: shape[0], kernelsPerRow: shape[1], taps: shape[2] * shape[3], centre: (shape[2] / 2) * shape[3] + shape[3] / 2,
            gateError: gateError, tapSumOnMagnitudes: tapSumOnMagnitudes, tapSumOnSum: tapSumOnSum, conversion: conversion)
    }

    /// `max_o` of the bias's bound: gate, product and sum of `s_b b_b`.
    func biasBound<W: ProbeWeightScalar>(_ branches: [ProbeModule<W>.Branch], outChannels: Int) -> Double {
        var largest = 0.0
        for o in 0..<outChannels {
            var magnitude = 0.0
            var merged = 0.0
            for branch in branches {
                guard let bias = branch.bias else { continue }
                let term = branch.gate * Double(bias[o])
                magnitude += abs(term)
                merged += term
            }
            largest = max(largest, (gateError + 1) * magnitude + (1 + conversion) * abs(merged))
        }
        return largest
    }
}
