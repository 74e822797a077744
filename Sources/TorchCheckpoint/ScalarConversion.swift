/// Conversions between stored element bytes and Double, with exactly one rounding on the way back.
///
/// Folding is done in float64 and rounded once to the tensor's dtype; rounding through float32 first would
/// round twice and can differ from torch's own `.to(dtype)` in the last place.
public enum ScalarConversion {
    /// Little-endian element bytes of a floating dtype to Double.
    public static func doubles(fromLittleEndian bytes: [UInt8], dtype: TorchDType) -> [Double] {
        let size = dtype.elementSize
        let count = bytes.count / size
        var result = [Double](repeating: 0, count: count)
        switch dtype {
        case .float64:
            for i in 0..<count { result[i] = Double(bitPattern: loadUInt64(bytes, i * 8)) }
        case .float32:
            for i in 0..<count { result[i] = Double(Float(bitPattern: loadUInt32(bytes, i * 4))) }
        case .float16:
            for i in 0..<count { result[i] = Double(Float16(bitPattern: loadUInt16(bytes, i * 2))) }
        case .bfloat16:
            for i in 0..<count { result[i] = Double(Float(bitPattern: UInt32(loadUInt16(bytes, i * 2)) << 16)) }
        default:
            preconditionFailure("doubles(fromLittleEndian:) is only called for floating dtypes, not \(dtype)")
        }
        return result
    }

    /// Double values rounded once to a floating dtype, as little-endian bytes.
    public static func littleEndianBytes(_ values: [Double], dtype: TorchDType) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * dtype.elementSize)
        switch dtype {
        case .float64:
            for (i, value) in values.enumerated() { storeUInt64(value.bitPattern, &bytes, i * 8) }
        case .float32:
            for (i, value) in values.enumerated() { storeUInt32(Float(value).bitPattern, &bytes, i * 4) }
        case .float16:
            for (i, value) in values.enumerated() { storeUInt16(Float16(value).bitPattern, &bytes, i * 2) }
        case .bfloat16:
            for (i, value) in values.enumerated() { storeUInt16(bfloat16Bits(value), &bytes, i * 2) }
        default:
            preconditionFailure("littleEndianBytes(_:dtype:) is only called for floating dtypes, not \(dtype)")
        }
        return bytes
    }

    /// Double to bfloat16 with round-to-nearest-even, rounded once: first to float32 with round-to-odd
    /// (which keeps enough information for the second rounding to be exact), then to bfloat16.
    public static func bfloat16Bits(_ value: Double) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        var single = Float(value)
        if single.isFinite, abs(Double(single)) > abs(value) {
            single = Float(bitPattern: single.bitPattern - 1)
        } else if single.isInfinite, value.isFinite {
            single = Float(bitPattern: single.bitPattern - 1)
        }
        var bits = single.bitPattern
        if single.isFinite, Double(single) != value { bits |= 1 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    static func loadUInt16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func loadUInt32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(loadUInt16(bytes, at)) | UInt32(loadUInt16(bytes, at + 2)) << 16
    }

    static func loadUInt64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(loadUInt32(bytes, at)) | UInt64(loadUInt32(bytes, at + 4)) << 32
    }

    static func storeUInt16(_ value: UInt16, _ bytes: inout [UInt8], _ at: Int) {
        bytes[at] = UInt8(truncatingIfNeeded: value)
        bytes[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }

    static func storeUInt32(_ value: UInt32, _ bytes: inout [UInt8], _ at: Int) {
        storeUInt16(UInt16(truncatingIfNeeded: value), &bytes, at)
        storeUInt16(UInt16(truncatingIfNeeded: value >> 16), &bytes, at + 2)
    }

    static func storeUInt64(_ value: UInt64, _ bytes: inout [UInt8], _ at: Int) {
        storeUInt32(UInt32(truncatingIfNeeded: value), &bytes, at)
        storeUInt32(UInt32(truncatingIfNeeded: value >> 32), &bytes, at + 4)
    }
}
