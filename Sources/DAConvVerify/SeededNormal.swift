#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard normal samples from a fixed seed (SplitMix64 + Box-Muller), identical on every machine, so a
/// report can be reproduced and two runs of `verify` probe with the same inputs.
public struct SeededNormal: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// Next 64 random bits (SplitMix64).
    public mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1], never 0 (so its logarithm is finite).
    public mutating func nextUniform() -> Double {
        Double((nextBits() >> 11) + 1) * 0x1p-53
    }

    /// `count` samples of N(0, 1).
    public mutating func samples(_ count: Int) -> [Double] {
        var result = [Double]()
        result.reserveCapacity(count + 1)
        while result.count < count {
            let radius = (-2 * log(nextUniform())).squareRoot()
            let angle = 2 * Double.pi * nextUniform()
            result.append(radius * cos(angle))
            result.append(radius * sin(angle))
        }
        return Array(result.prefix(count))
    }

    /// A seed derived from a base seed and a name, so each module gets its own inputs.
    public static func seed(_ base: UInt64, _ name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ base
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}
