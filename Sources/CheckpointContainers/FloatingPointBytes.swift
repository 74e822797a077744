/// Little-endian IEEE elements to and from Double, for tensor data in bulk.
///
/// Checkpoints hold hundreds of millions of elements; assembling each from single bytes costs more than
/// reading the file, so this file loads whole words from the buffer. It is the module's one place for
/// element-level raw memory access.
public enum FloatingPointBytes {
    public enum Format: Sendable {
        case float64, float32, float16, bfloat16

        public var size: Int {
            switch self {
            case .float64: return 8
            case .float32: return 4
            case .float16, .bfloat16: return 2
            }
        }
    }

    /// The elements of `bytes` (a whole number of them) as Double; exact for every format.
    public static func decode(_ bytes: [UInt8], as format: Format) -> [Double] {
        let count = bytes.count / format.size
        return [Double](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                switch format {
                case .float64:
                    for i in 0..<count {
                        output[i] = Double(
                            bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
                    }
                case .float32:
                    for i in 0..<count {
                        output[i] = Double(
                            Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))))
                    }
                case .float16:
                    for i in 0..<count {
                        output[i] = Double(
                            Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))))
                    }
                case .bfloat16:
                    for i in 0..<count {
                        let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                        output[i] = Double(Float(bitPattern: UInt32(bits) << 16))
                    }
                }
            }
            initialized = count
        }
    }

    /// Little-endian float32 elements as Float (a bit copy).
    public static func decodeFloat32(_ bytes: [UInt8]) -> [Float] {
        let count = bytes.count / 4
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    output[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }

    /// Floats as little-endian bytes (a bit copy).
    public static func encodeFloat32(_ values: [Float]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count * 4) { output, initialized in
            let raw = UnsafeMutableRawBufferPointer(output)
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
            initialized = values.count * 4
        }
    }

    /// `values` rounded once (to nearest, ties to even) to the format, as little-endian bytes.
    public static func encode(_ values: [Double], as format: Format) -> [UInt8] {
        let size = format.size
        return [UInt8](unsafeUninitializedCapacity: values.count * size) { output, initialized in
            let raw = UnsafeMutableRawBufferPointer(output)
            for (i, value) in values.enumerated() {
                switch format {
                case .float64: raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self)
                case .float32: raw.storeBytes(of: Float(value).bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                case .float16: raw.storeBytes(of: Float16(value).bitPattern.littleEndian, toByteOffset: i * 2, as: UInt16.self)
                case .bfloat16: raw.storeBytes(of: bfloat16Bits(value).littleEndian, toByteOffset: i * 2, as: UInt16.self)
                }
            }
            initialized = values.count * size
        }
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
}
