/// Strict UTF-8 validation that reports where the first bad byte is, so an error can name its file offset
/// (the standard library only says whether a buffer is valid).
enum SafetensorsUTF8 {
    /// The index of the first byte that does not start or continue a well-formed UTF-8 sequence (overlong
    /// forms, surrogates and values above U+10FFFF are refused), or nil if `bytes` is valid.
    static func firstInvalidIndex(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            guard let (length, low, high) = sequenceShape(lead) else { return index }
            guard index + length <= bytes.count else { return index }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return index + 1 }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return index + offset }
            index += length
        }
        return nil
    }

    /// Length of the sequence a lead byte starts, and the range its second byte must be in (which is what
    /// rules out overlong forms, surrogates and values past U+10FFFF: Unicode table 3-7).
    private static func sequenceShape(_ lead: UInt8) -> (length: Int, low: UInt8, high: UInt8)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return nil
        }
    }
}
