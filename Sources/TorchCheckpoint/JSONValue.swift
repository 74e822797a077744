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

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized() == rhs.serialized()
    }

    /// The document as text; `indent` > 0 pretty-prints.
    public func serialized(indent: Int = 2) -> String {
        var output = ""
        write(to: &output, indent: indent, level: 0)
        return output
    }

    private func write(to output: inout String, indent: Int, level: Int) {
        let newline = indent > 0 ? "\n" : ""
        let pad = String(repeating: " ", count: indent * (level + 1))
        let closePad = String(repeating: " ", count: indent * level)
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value): output += JSONValue.number(value)
        case .string(let value): output += JSONValue.quoted(value)
        case .array(let items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            let scalarsOnly = items.allSatisfy(\.isScalar)
            if scalarsOnly {
                output += "[" + items.map { $0.serialized(indent: 0) }.joined(separator: ", ") + "]"
                return
            }
            output += "[" + newline
            for (i, item) in items.enumerated() {
                output += pad
                item.write(to: &output, indent: indent, level: level + 1)
                output += (i + 1 < items.count ? "," : "") + newline
            }
            output += closePad + "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{" + newline
            for (i, (key, value)) in members.enumerated() {
                output += pad + JSONValue.quoted(key) + (indent > 0 ? ": " : ":")
                value.write(to: &output, indent: indent, level: level + 1)
                output += (i + 1 < members.count ? "," : "") + newline
            }
            output += closePad + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
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
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
