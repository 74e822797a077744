/// Float text as CPython's C unpickler reads FLOAT (`PyOS_string_to_double`): an optional sign, then
/// digits with an optional fraction and exponent, or `inf`, `infinity`, `nan` in any case. No
/// white space, no underscores; a value too large for a double is an error, a tiny one becomes 0.
enum PythonFloatText {
    /// Significant digits kept; with a sticky digit for the rest, rounding stays exact (a double
    /// needs at most 767 significant digits to round correctly), and hostile text of a million
    /// digits costs linear time.
    private static let keptDigits = 800

    static func parse(_ text: ArraySlice<UInt8>) -> Double? {
        var index = text.startIndex
        var negative = false
        if index < text.endIndex, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        if let special = infinityOrNaN(text[index...]) { return negative ? -special : special }
        guard let decimal = Decimal(text[index...]) else { return nil }
        guard let magnitude = decimal.value() else { return nil }
        return negative ? -magnitude : magnitude
    }

    private static func infinityOrNaN(_ text: ArraySlice<UInt8>) -> Double? {
        guard text.count <= 8 else { return nil }
        let lowered = String(decoding: text.map { $0 | 0x20 }, as: UTF8.self)
        switch lowered {
        case "inf", "infinity": return .infinity
        case "nan": return .nan
        default: return nil
        }
    }

    /// Significant digits and a decimal exponent: value = 0.digits x 10^exponent.
    private struct Decimal {
        var digits: [UInt8] = []
        var exponent = 0
        var sticky = false

        init?(_ text: ArraySlice<UInt8>) {
            var index = text.startIndex
            var sawDigit = false
            var sawPoint = false
            while index < text.endIndex {
                let byte = text[index]
                if byte == UInt8(ascii: "."), !sawPoint {
                    sawPoint = true
                } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    sawDigit = true
                    add(digit: byte, fractional: sawPoint)
                } else {
                    break
                }
                index += 1
            }
            guard sawDigit else { return nil }
            guard let exponentPart = Decimal.exponent(text[index...]) else { return nil }
            exponent = exponent.addingSaturated(exponentPart)
        }

        private mutating func add(digit: UInt8, fractional: Bool) {
            if digits.isEmpty && digit == UInt8(ascii: "0") {
                if fractional { exponent -= 1 }
                return
            }
            if digits.count < PythonFloatText.keptDigits {
                digits.append(digit)
            } else if digit != UInt8(ascii: "0") {
                sticky = true
            }
            if !fractional { exponent += 1 }
        }

        /// The exponent after `e`, saturated far beyond any double; nil for junk. Empty text is 0.
        private static func exponent(_ text: ArraySlice<UInt8>) -> Int? {
            guard let first = text.first else { return 0 }
            guard first | 0x20 == UInt8(ascii: "e") else { return nil }
            var rest = text.dropFirst()
            var negative = false
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                negative = sign == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            var value = 0
            for byte in rest { value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000_000) }
            return negative ? -value : value
        }

        /// The correctly rounded double, nil when it overflows.
        func value() -> Double? {
            guard !digits.isEmpty else { return 0 }
            let clamped = max(min(exponent, 100_000), -100_000)
            let mantissa = String(decoding: digits + (sticky ? [UInt8(ascii: "1")] : []), as: UTF8.self)
            guard let result = Double("0.\(mantissa)e\(clamped)"), result.isFinite else { return nil }
            return result
        }
    }
}

extension Int {
    fileprivate func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
