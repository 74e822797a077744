extension PickleBigInt {
    /// The integer `value`, in the minimal little-endian two's complement form.
    public init(_ value: Int64) {
        self.init(littleEndianBytes: (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
    }

    /// The integer with magnitude `limbs` (little-endian 32-bit words) and the given sign.
    init(magnitude limbs: [UInt32], negative: Bool) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(limbs.count * 4 + 1)
        for limb in limbs {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: limb >> shift)) }
        }
        bytes.append(0)  // room for the sign
        if negative {
            var carry: UInt16 = 1
            for i in bytes.indices {
                let sum = UInt16(~bytes[i]) + carry
                bytes[i] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        self.init(littleEndianBytes: bytes)
    }

    /// `.int` when the value fits in Int64, `.bigInt` otherwise: the one spelling the unpickler uses,
    /// so equal integers are equal values.
    public var pickleValue: PickleValue {
        if let small = int64 { return .int(small) }
        return .bigInt(self)
    }
}
