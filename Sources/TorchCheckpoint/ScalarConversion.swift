import CheckpointContainers

/// Conversions between stored element bytes and Double, with exactly one rounding on the way back.
///
/// Folding is done in float64 and rounded once to the tensor's dtype; rounding through float32 first would
/// round twice and can differ from torch's own `.to(dtype)` in the last place.
public enum ScalarConversion {
    /// Little-endian element bytes of a floating dtype to Double.
    public static func doubles(fromLittleEndian bytes: [UInt8], dtype: TorchDType) -> [Double] {
        FloatingPointBytes.decode(bytes, as: format(dtype))
    }

    /// Double values rounded once to a floating dtype, as little-endian bytes.
    public static func littleEndianBytes(_ values: [Double], dtype: TorchDType) -> [UInt8] {
        FloatingPointBytes.encode(values, as: format(dtype))
    }

    /// Double to bfloat16 bits, rounded once to nearest even.
    public static func bfloat16Bits(_ value: Double) -> UInt16 {
        FloatingPointBytes.bfloat16Bits(value)
    }

    private static func format(_ dtype: TorchDType) -> FloatingPointBytes.Format {
        switch dtype {
        case .float64: return .float64
        case .float32: return .float32
        case .float16: return .float16
        case .bfloat16: return .bfloat16
        default: preconditionFailure("element conversion is only asked for floating dtypes, not \(dtype)")
        }
    }

    static func loadUInt64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return value
    }
}
