@testable import DAConvMerge

/// Seeded random branches for the fast-fold tests (SplitMix64, so failures reproduce).
struct FoldGenerator: RandomNumberGenerator {
    /// A branch as the reference takes it (theta) and as the fast fold takes it.
    struct RandomBranch {
        var kind: DAConvRules.Kind
        var theta: Double?
        var weight: [Float]

        /// The same branch for `FastFold`, its gate computed from theta as the reference does.
        var fast: FastFold.Branch { FastFold.Branch(kind: kind, theta: theta, weight: weight) }
    }

    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` branches of random kinds, gates (or none) and weights whose magnitudes span
    /// 2^-12 to 2^12, so sums cancel and round in every way.
    static func randomBranches(shape: [Int], count: Int, using generator: inout FoldGenerator) -> [RandomBranch] {
        let elements = shape.reduce(1, *)
        return (0..<count).map { _ in
            let kind = DAConvRules.Kind.allCases.randomElement(using: &generator)!
            let theta: Double? = Bool.random(using: &generator) ? Double.random(in: -4...4, using: &generator) : nil
            let weight = (0..<elements).map { _ in
                Float.random(in: -1..<1, using: &generator)
                    * Float(sign: .plus, exponent: Int.random(in: -12...12, using: &generator), significand: 1)
            }
            return RandomBranch(kind: kind, theta: theta, weight: weight)
        }
    }
}
