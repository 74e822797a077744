#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the merged weights a probe checks were computed, which decides how far they may be from the exact
/// fold. The probe compares outputs, so what matters is the weight error `E = W_merged - W_exact`: on
/// inputs drawn from N(0, 1), output channel `o` is off by a normal variable of standard deviation at most
/// `||E_o||_2`, plus the bias error.
public enum MergedWeightsOrigin: String, Sendable, Equatable {
    /// This tool's merge: the fold in float64, rounded once to the dtype, so `|E| <= u |W|` per weight.
    case roundedOnce = "rounded once"
    /// Any merge by the natural formula: rounded once, or computed step by step in the dtype as the
    /// release's `re_para` does (tap sums, centre add, sigmoid, products and the branch sum each rounded).
    /// Where terms cancel, a step's error is relative to the branch terms, not to the merged weight, so
    /// the bound is built from the branch magnitudes (``FoldErrorBound``).
    case anyNaturalFold = "any natural fold"
}

/// The tolerance a merged layer's outputs are held to. See docs/equivalence.md for the derivation.
///
/// `tolerance = z(N) * sigma + bias + accumulation`, where `sigma` bounds the standard deviation of any
/// output's error (the weight error's row norm, per origin), `z(N) = sqrt(2 ln(N * 10^9))` makes the chance
/// that any of the N outputs compared exceeds `z * sigma` at most 10^-9 (a union bound on the normal tail:
/// `P(|Z| > z) <= exp(-z^2 / 2)`), so larger probes never raise false alarms, and `accumulation`
/// bounds the float64 arithmetic of the probe itself.
public enum ProbeTolerance {
    /// Unit roundoff of a dtype's significand.
    static func unitRoundoff(_ dtypeName: String) -> Double {
        switch dtypeName {
        case "float64": return 0x1p-53
        case "float32": return 0x1p-24
        case "float16": return 0x1p-11
        case "bfloat16": return 0x1p-8
        default: return 0x1p-24
        }
    }

    /// Chance allowed for one layer's probe to exceed its bound on a correct merge.
    static let falseAlarmChance = 1e-9

    /// How many standard deviations the largest of `outputs` normal errors may reach.
    public static func deviations(outputs: Int) -> Double {
        (2 * log(Double(max(outputs, 1)) / falseAlarmChance)).squareRoot()
    }

    /// - Parameters:
    ///   - sigma: bound on the standard deviation of any output's error from the weights (`u * max_o ||E_o||`).
    ///   - bias: bound on the merged bias's error.
    ///   - weightNorm1: largest `||W_o||_1` summed over every convolution of the reference and the merged conv.
    static func tolerance(
        sigma: Double, bias: Double, outputs: Int, weightNorm1: Double, fanIn: Int, inputMax: Double
    ) -> Double {
        let accumulation = Double(fanIn) * 0x1p-52 * weightNorm1 * inputMax
        return deviations(outputs: outputs) * sigma + bias + accumulation
    }

    static let accumulationRule = "fan_in * 2^-52 * sum ||W_o||_1 * max|x|"

    /// What the report says the tolerance is.
    static func rule(_ origin: MergedWeightsOrigin) -> String {
        let common = "z(N) = sqrt(2 ln(N * 1e9)), N outputs compared; u = unit roundoff of the dtype"
        switch origin {
        case .roundedOnce:
            return "z(N) * u * max_o ||W_o||_2 + u * max|b| + \(accumulationRule); \(common)"
        case .anyNaturalFold:
            return "z(N) * u * max_o ||B_o||_2 + u * max|B_bias| + \(accumulationRule); "
                + "B bounds each merged weight's rounding error over u, step by step from the exact branch terms "
                + "(gate, tap sum, centre add, products, branch sum; docs/equivalence.md); \(common) (the coarser of the two sides)"
        }
    }
}
