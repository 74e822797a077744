import TorchCheckpoint

/// Distances in units in the last place between floating-point tensors given as little-endian bytes.
public enum ULP {
    /// The largest number of representable values between corresponding elements (0 when bit-identical).
    public static func maxDistance(_ a: [UInt8], _ b: [UInt8], dtype: TorchDType) -> Int {
        precondition(a.count == b.count, "tensors of the same size")
        let size = dtype.elementSize
        var worst = 0
        for start in stride(from: 0, to: a.count, by: size) {
            let x = ordered(a, start, size)
            let y = ordered(b, start, size)
            let distance = x > y ? x - y : y - x
            worst = max(worst, distance > UInt64(Int.max) ? Int.max : Int(distance))
        }
        return worst
    }

    /// Maps the bit pattern of an IEEE value onto a line where neighbours differ by one.
    private static func ordered(_ bytes: [UInt8], _ start: Int, _ size: Int) -> UInt64 {
        var bits: UInt64 = 0
        for i in 0..<size { bits |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        let signBit: UInt64 = 1 << (UInt64(size) * 8 - 1)
        return bits & signBit != 0 ? signBit &- (bits & ~signBit) : signBit &+ bits
    }
}
