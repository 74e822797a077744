@testable import DAConvMerge
import TestSupport

/// Seeded random branches for the fast-fold tests (SplitMix64, so failures reproduce).
enum FastFoldTestData {
    /// A branch as the reference takes it (theta) and as the fast fold takes it.
    struct RandomBranch {
        var kind: DAConvRules.Kind
        var theta: Double?
        var weight: [Float]

        /// The same branch for `FastFold`, its gate computed from theta as the reference does.
        var fast: FastFold.Branch { FastFold.Branch(kind: kind, theta: theta, weight: weight) }
    }

    /// `count` branches of random kinds, gates (or none) and weights whose magnitudes span
    /// 2^-12 to 2^12, so sums cancel and round in every way.
    static func randomBranches(shape: [Int], count: Int, using generator: inout SplitMix64) -> [RandomBranch] {
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
