/// The tolerance a merged layer's outputs are held to, derived from its dtype and weights.
///
/// Rounding each merged weight to the dtype moves it by at most u|w| (u: the dtype's unit roundoff).
/// With probe inputs drawn independently from N(0, 1), an output then moves by a normal variable of
/// standard deviation at most u * ||W_o||_2 (the output channel's weight norm, which grows with the fan-in
/// as sqrt(fan_in) * rms(w)), and the bias by u|b|. Six standard deviations bound the largest of the
/// ~10^5 outputs a probe draws with a margin. float64 accumulation adds at most
/// fan_in * 2^-52 * ||W_o||_1 * max|x| per convolution. A single weight off by 1e-3 of its scale moves
/// outputs by about 1e-3 * |w| * |x|, orders of magnitude above this bound for float32 and float64.
enum ProbeTolerance {
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

    /// - Parameters:
    ///   - weightNorm2: largest `||W_o||_2` of the merged weight.
    ///   - weightNorm1: largest `||W_o||_1` summed over every convolution of the reference and the merged conv.
    static func tolerance(
        dtypeName: String, weightNorm2: Double, weightNorm1: Double, maxBias: Double, fanIn: Int,
        inputRMS: Double, inputMax: Double
    ) -> Double {
        let u = unitRoundoff(dtypeName)
        let rounding = 6 * u * weightNorm2 * inputRMS + u * maxBias
        let accumulation = Double(fanIn) * 0x1p-52 * weightNorm1 * inputMax
        return rounding + accumulation
    }

    static let rule = "6 * u(dtype) * max_o ||W_o||_2 * rms(x) + u(dtype) * max|b| + fan_in * 2^-52 * sum ||W_o||_1 * max|x|"
}
