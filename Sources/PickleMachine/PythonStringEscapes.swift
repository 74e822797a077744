/// The escape decoders behind protocol 0's STRING and UNICODE opcodes.
enum PythonStringEscapes {
    /// CPython's `codecs.escape_decode` (STRING): `\\ \' \" \a \b \f \n \r \t \v`, one to three octal
    /// digits (values above 0o377 keep their low byte), `\xHH` with exactly two hex digits, a
    /// backslash-newline removed, and any other escape kept as written. Nil for a trailing
    /// backslash or a bad `\x`.
    static func escapeDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard index < text.endIndex else { return nil }
            let escape = text[index]
            index += 1
            if let simple = simpleEscapes[escape] {
                output.append(simple)
            } else if escape == UInt8(ascii: "\n") {
                continue
            } else if (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(escape) {
                var value = Int(escape - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard index < text.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(text[index]) else { break }
                    value = value * 8 + Int(text[index] - UInt8(ascii: "0"))
                    index += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            } else if escape == UInt8(ascii: "x") {
                guard index + 1 < text.endIndex, let high = hexValue(text[index]), let low = hexValue(text[index + 1]) else {
                    return nil
                }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(UInt8(ascii: "\\"))
                output.append(escape)
            }
        }
        return output
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\""): 0x22, UInt8(ascii: "a"): 0x07,
        UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
        UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
    ]

    /// CPython's `raw-unicode-escape` decoding (UNICODE): bytes are Latin-1 code points except
    /// `\uXXXX` and `\UXXXXXXXX`; any other backslash pair is kept as written. Nil for a short or
    /// bad escape, a code point above U+10FFFF, or a surrogate (which a Swift string cannot hold).
    static func rawUnicodeEscapeDecode(_ text: ArraySlice<UInt8>) -> String? {
        var scalars = String.UnicodeScalarView()
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            index += 1
            guard byte == UInt8(ascii: "\\"), index < text.endIndex else {
                scalars.append(Unicode.Scalar(byte))
                continue
            }
            let escape = text[index]
            index += 1
            let width = escape == UInt8(ascii: "u") ? 4 : escape == UInt8(ascii: "U") ? 8 : 0
            guard width > 0 else {
                scalars.append(Unicode.Scalar(byte))
                scalars.append(Unicode.Scalar(escape))
                continue
            }
            guard index + width <= text.endIndex else { return nil }
            var value: UInt32 = 0
            for hex in text[index..<index + width] {
                guard let digit = hexValue(hex) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            index += width
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        let value = PythonIntegerText.digitValue(byte)
        return value < 16 ? UInt8(value) : nil
    }
}
