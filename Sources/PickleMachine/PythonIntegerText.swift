/// What integer text parsed to.
enum IntegerTextOutcome: Equatable {
    case value(PickleValue)
    /// Text CPython would refuse.
    case invalid
    /// Text whose value would need more two's complement bytes than allowed.
    case tooLarge(bytes: Int)
}

/// Integer text as CPython's unpickler reads it: `strtol` for INT (so `I01`/`I00` are booleans),
/// then `int(text, 0)` (or base 10 for memo indices), with Python's literal rules: optional
/// surrounding whitespace, a sign, `0x`/`0o`/`0b` prefixes, single underscores between digits, no
/// leading zeros in decimal, and at most 4300 decimal digits (`sys.int_info.default_max_str_digits`).
enum PythonIntegerText {
    /// CPython's default limit on decimal digits converted to an int.
    static let maxDecimalDigits = 4300

    /// The INT opcode: C `strtol(text, 0)` when it consumes the whole line; a two-character line
    /// worth 0 or 1 is a bool. Otherwise Python's `int(text, 0)`.
    static func intOpcode(_ text: ArraySlice<UInt8>, maxBytes: Int) -> IntegerTextOutcome {
        if let value = cStrtol(text) {
            if text.count == 2 && (value == 0 || value == 1) { return .value(.bool(value == 1)) }
            return .value(.int(value))
        }
        return parse(text, base: 0, maxBytes: maxBytes)
    }

    /// The LONG opcode: a trailing `L` (Python 2) is dropped, then `int(text, 0)`.
    static func longOpcode(_ text: ArraySlice<UInt8>, maxBytes: Int) -> IntegerTextOutcome {
        guard !text.isEmpty else { return .invalid }
        let digits = text.last == UInt8(ascii: "L") ? text.dropLast() : text
        return parse(digits, base: 0, maxBytes: maxBytes)
    }

    /// Python's `int(text, base)` for base 0 (prefix decides) or 10.
    static func parse(_ text: ArraySlice<UInt8>, base requestedBase: Int, maxBytes: Int) -> IntegerTextOutcome {
        var index = text.startIndex
        while index < text.endIndex, isSpace(text[index]) { index += 1 }
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        let (base, prefixLength, zeroOnly) = baseAndPrefix(text[index...], requested: requestedBase)
        index += prefixLength
        guard let (digitCount, digitsEnd) = scanDigits(text[index...], base: base) else { return .invalid }
        var tail = digitsEnd
        while tail < text.endIndex, isSpace(text[tail]) { tail += 1 }
        guard tail == text.endIndex else { return .invalid }
        if base == 10 && digitCount > maxDecimalDigits { return .invalid }
        let estimate = estimatedBytes(digits: digitCount, base: base)
        if estimate > 2 * maxBytes + 16 { return .tooLarge(bytes: estimate) }
        let magnitude = accumulate(text[index..<digitsEnd], base: base)
        if zeroOnly && magnitude.contains(where: { $0 != 0 }) { return .invalid }
        let integer = PickleBigInt(magnitude: magnitude, negative: negative)
        if integer.littleEndianBytes.count > maxBytes { return .tooLarge(bytes: integer.littleEndianBytes.count) }
        return .value(integer.pickleValue)
    }

    /// The base and the length of its prefix (`0x` plus one optional underscore). `zeroOnly` is set
    /// for a decimal with a leading zero, which Python accepts only when the value is zero.
    private static func baseAndPrefix(_ text: ArraySlice<UInt8>, requested: Int) -> (Int, Int, Bool) {
        guard requested == 0 else { return (requested, 0, false) }
        guard let first = text.first, first == UInt8(ascii: "0"), text.count >= 2 else { return (10, 0, false) }
        let marker = text[text.startIndex + 1] | 0x20
        let base: Int
        switch marker {
        case UInt8(ascii: "x"): base = 16
        case UInt8(ascii: "o"): base = 8
        case UInt8(ascii: "b"): base = 2
        default: return (10, 0, true)
        }
        let underscore = text.count > 2 && text[text.startIndex + 2] == UInt8(ascii: "_") ? 1 : 0
        return (base, 2 + underscore, false)
    }

    /// Counts digits (single underscores between them allowed) and returns where they end, or nil
    /// if there are none or the underscores are misplaced.
    private static func scanDigits(_ text: ArraySlice<UInt8>, base: Int) -> (Int, Int)? {
        var count = 0
        var previousWasUnderscore = true  // also refuses a leading underscore
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                if previousWasUnderscore { return nil }
                previousWasUnderscore = true
            } else if digitValue(byte) < base {
                count += 1
                previousWasUnderscore = false
            } else {
                break
            }
            index += 1
        }
        guard count > 0, !previousWasUnderscore else { return nil }
        return (count, index)
    }

    /// An upper bound on the bytes `digits` digits of `base` need, to refuse before converting.
    private static func estimatedBytes(digits: Int, base: Int) -> Int {
        let millibitsPerDigit = [2: 1000, 8: 3000, 10: 3322, 16: 4000][base] ?? 4000
        return digits / 8 * millibitsPerDigit / 1000 + digits % 8 * millibitsPerDigit / 8000 + 2
    }

    /// The magnitude of validated digits as little-endian 32-bit limbs.
    private static func accumulate(_ text: ArraySlice<UInt8>, base: Int) -> [UInt32] {
        var limbs: [UInt32] = [0]
        for byte in text where byte != UInt8(ascii: "_") {
            var carry = UInt64(digitValue(byte))
            for i in limbs.indices {
                let product = UInt64(limbs[i]) * UInt64(base) + carry
                limbs[i] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(carry)) }
        }
        return limbs
    }

    /// C `strtol(text, &end, 0)` (glibc, C locale) when it converts the whole text without overflow.
    static func cStrtol(_ text: ArraySlice<UInt8>) -> Int64? {
        var index = text.startIndex
        while index < text.endIndex, isSpace(text[index]) { index += 1 }
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var base: UInt64 = 10
        if index < text.endIndex, text[index] == UInt8(ascii: "0") {
            base = 8
            if index + 1 < text.endIndex, text[index + 1] | 0x20 == UInt8(ascii: "x") {
                guard index + 2 < text.endIndex, digitValue(text[index + 2]) < 16 else { return nil }
                base = 16
                index += 2
            }
        }
        let bound: UInt64 = negative ? 1 << 63 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        let digitsStart = index
        while index < text.endIndex, UInt64(digitValue(text[index])) < base {
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: base)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digitValue(text[index])))
            guard !overflow1, !overflow2, sum <= bound else { return nil }
            magnitude = sum
            index += 1
        }
        guard index > digitsStart, index == text.endIndex else { return nil }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    /// Python's `Py_ISSPACE` for bytes (the C locale's white space).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// The value of a digit or letter (0-35), 99 for anything else.
    static func digitValue(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return 99
        }
    }
}
