/// A strict JSON parser (RFC 8259) for safetensors headers: the header is validated UTF-8 first, nesting is
/// bounded, every error names the file offset where parsing stopped, and nothing is allocated beyond the
/// header itself. Whitespace may surround the value (the reference pads headers with spaces); nothing else.
struct SafetensorsJSONParser {
    /// Why parsing stopped, at which index of the header.
    enum Failure: Error, Equatable {
        case invalid(index: Int, reason: String)
        case tooDeep(index: Int)
    }

    private let bytes: [UInt8]
    private let maxDepth: Int
    private var index = 0
    private var depth = 0

    /// Parses `bytes` (already known to be valid UTF-8) as one JSON value.
    static func parse(_ bytes: [UInt8], maxDepth: Int) throws(Failure) -> SafetensorsJSON {
        var parser = SafetensorsJSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.fail("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private func fail(_ reason: String) -> Failure {
        .invalid(index: index, reason: reason)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard current == byte else { throw fail("expected \(what)") }
        index += 1
    }

    private mutating func value() throws(Failure) -> SafetensorsJSON {
        guard let byte = current else { throw fail("the header ends where a value should start") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < maxDepth else { throw Failure.tooDeep(index: index) }
            depth += 1
            defer { depth -= 1 }
            return byte == UInt8(ascii: "{") ? try object() : try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character where a value should start")
        }
    }

    private mutating func object() throws(Failure) -> SafetensorsJSON {
        index += 1
        var members: [(key: String, value: SafetensorsJSON)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        }
    }

    private mutating func array() throws(Failure) -> SafetensorsJSON {
        index += 1
        var items: [SafetensorsJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(items)
        }
    }

    private mutating func literal(_ word: String, _ result: SafetensorsJSON) throws(Failure) -> SafetensorsJSON {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw fail("unknown literal (expected \(word))")
        }
        index += expected.count
        return result
    }

    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`; plain non-negative integers become `.integer`.
    private mutating func number() throws(Failure) -> SafetensorsJSON {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw fail("expected a digit") }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = current, isDigit(next) { throw fail("a number may not have leading zeros") }
        } else {
            skipDigits()
        }
        var isInteger = bytes[start] != UInt8(ascii: "-")
        if current == UInt8(ascii: ".") {
            index += 1
            guard let next = current, isDigit(next) else { throw fail("expected a digit after '.'") }
            skipDigits()
            isInteger = false
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let next = current, isDigit(next) else { throw fail("expected a digit in the exponent") }
            skipDigits()
            isInteger = false
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = UInt64(text) { return .integer(value) }
        return .number(text)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }
}

extension SafetensorsJSONParser {
    /// A string after its opening quote: raw UTF-8 (already validated) and escapes; control characters must
    /// be escaped, and `\u` escapes must pair surrogates.
    private mutating func string() throws(Failure) -> String {
        index += 1
        var result: [UInt8] = []
        var runStart = index
        while true {
            guard let byte = current else { throw fail("the header ends inside a string") }
            if byte == UInt8(ascii: "\"") {
                result += bytes[runStart..<index]
                index += 1
                return String(decoding: result, as: UTF8.self)
            }
            if byte < 0x20 { throw fail("a control character inside a string must be escaped") }
            if byte == UInt8(ascii: "\\") {
                result += bytes[runStart..<index]
                index += 1
                try escape(into: &result)
                runStart = index
            } else {
                index += 1
            }
        }
    }

    private mutating func escape(into result: inout [UInt8]) throws(Failure) {
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        guard let byte = current else { throw fail("the header ends inside an escape") }
        if let replacement = simple[byte] {
            index += 1
            result.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw fail("unknown escape") }
        index += 1
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw fail("a high surrogate escape must be followed by a low one")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw fail("a high surrogate escape must be followed by a low one") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw fail("a lone low surrogate escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw fail("an escape that is not a Unicode scalar") }
        result += Array(String(Character(unicode)).utf8)
    }

    private mutating func hexQuad() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("the header ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexValue(bytes[index]) else { throw fail("expected four hex digits after \\u") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
