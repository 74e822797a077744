/// A JSON document with ordered keys, for reports scripts parse and people read.
///
/// Foundation's encoders reorder keys and print doubles inconsistently across platforms; reports are
/// diffed by users' CI, so their bytes must be stable.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// An array whose elements are made as they are written: a report of tens of thousands of tensors never
    /// holds all their values at once. Serialized exactly as ``array(_:)`` of the same elements.
    case elements(count: Int, element: @Sendable (Int) -> JSONValue)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    /// The document as text; `indent` > 0 pretty-prints.
    public func serialized(indent: Int = 2) -> String {
        var output = JSONOutput()
        write(to: &output, indent: indent, level: 0)
        return String(decoding: output.bytes, as: UTF8.self)
    }

    /// ``serialized(indent:)``'s text handed to `body` in parts of about `chunk` bytes (cut between values), so
    /// a large report is never held whole.
    public func serialized(indent: Int = 2, chunk: Int = 1 << 20, _ body: (String) -> Void) {
        withoutActuallyEscaping(body) { body in
            var output = JSONOutput(chunk: chunk, flush: body)
            write(to: &output, indent: indent, level: 0)
            output.flush?(String(decoding: output.bytes, as: UTF8.self))
        }
    }

    /// Written as UTF-8 bytes into one buffer: a report of tens of thousands of tensors makes no String per value.
    private func write(to output: inout JSONOutput, indent: Int, level: Int) {
        switch self {
        case .null: output.bytes.append(contentsOf: "null".utf8)
        case .bool(let value): output.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): TableBytesCalls.appendDecimal(value, grouped: false, to: &output.bytes)
        case .double(let value): output.bytes.append(contentsOf: JSONValue.number(value).utf8)
        case .string(let value): JSONValue.writeQuoted(value, to: &output.bytes)
        case .elements(let count, let element):
            guard count > 0, !element(0).isScalar else {
                return JSONValue.array((0..<count).map(element)).write(to: &output, indent: indent, level: level)
            }
            output.bytes.append(UInt8(ascii: "["))
            for i in 0..<count {
                if i > 0 { output.bytes.append(UInt8(ascii: ",")) }
                Self.writeBreak(to: &output.bytes, indent: indent, level: level + 1)
                element(i).write(to: &output, indent: indent, level: level + 1)
                output.flushIfFull()
            }
            Self.writeBreak(to: &output.bytes, indent: indent, level: level)
            output.bytes.append(UInt8(ascii: "]"))
        case .array(let items):
            guard !items.isEmpty else { return output.bytes.append(contentsOf: "[]".utf8) }
            if items.allSatisfy(\.isScalar) {
                output.bytes.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { output.bytes.append(contentsOf: ", ".utf8) }
                    item.write(to: &output, indent: 0, level: 0)
                }
                return output.bytes.append(UInt8(ascii: "]"))
            }
            output.bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { output.bytes.append(UInt8(ascii: ",")) }
                Self.writeBreak(to: &output.bytes, indent: indent, level: level + 1)
                item.write(to: &output, indent: indent, level: level + 1)
                output.flushIfFull()
            }
            Self.writeBreak(to: &output.bytes, indent: indent, level: level)
            output.bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return output.bytes.append(contentsOf: "{}".utf8) }
            output.bytes.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { output.bytes.append(UInt8(ascii: ",")) }
                Self.writeBreak(to: &output.bytes, indent: indent, level: level + 1)
                JSONValue.writeQuoted(key, to: &output.bytes)
                output.bytes.append(UInt8(ascii: ":"))
                if indent > 0 { output.bytes.append(UInt8(ascii: " ")) }
                value.write(to: &output, indent: indent, level: level + 1)
            }
            Self.writeBreak(to: &output.bytes, indent: indent, level: level)
            output.bytes.append(UInt8(ascii: "}"))
        }
    }

    /// A newline and the indentation of `level` (nothing when not pretty-printing).
    private static func writeBreak(to output: inout [UInt8], indent: Int, level: Int) {
        guard indent > 0 else { return }
        guard indent * level < lineBreak.count else {
            output.append(UInt8(ascii: "\n"))
            return TableBytesCalls.appendSpaces(indent * level, to: &output)
        }
        output.append(contentsOf: lineBreak[0...(indent * level)])
    }

    /// A newline and the spaces of the deepest indentation of a usual report, to take a line break from.
    private static let lineBreak = [UInt8(ascii: "\n")] + [UInt8](repeating: UInt8(ascii: " "), count: 127)

    private var isScalar: Bool {
        switch self {
        case .array, .object, .elements: return false
        default: return true
        }
    }

    /// JSON has no NaN or infinity: they become strings, as Python's json module cannot write them either.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value.isInfinite { return value < 0 ? "\"-Infinity\"" : "\"Infinity\"" }
        if value == value.rounded(.towardZero), abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return "\(value)"
    }

    static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        writeQuoted(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The string in quotes, escaped as JSON requires. Every byte that needs escaping is ASCII, so the UTF-8
    /// bytes are checked in place and copied whole, escaped one by one only from the first that needs it.
    static func writeQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let plain = JSONTextCalls.appendPlainPrefix(text, to: &output)
        if plain < text.utf8.count {
            for byte in text.utf8.dropFirst(plain) { writeEscaped(byte, to: &output) }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
        case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
        case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
        case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
        case ..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            output.append(contentsOf: #"\u00"#.utf8)
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0xf)])
        default: output.append(byte)
        }
    }
}

/// Serialized JSON being built, handed on in parts when a consumer takes it so.
private struct JSONOutput {
    var bytes: [UInt8] = []
    var chunk = Int.max
    var flush: ((String) -> Void)?

    mutating func flushIfFull() {
        guard let flush, bytes.count >= chunk else { return }
        flush(String(decoding: bytes, as: UTF8.self))
        bytes.removeAll(keepingCapacity: true)
    }
}
