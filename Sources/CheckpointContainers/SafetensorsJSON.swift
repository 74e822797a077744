/// A JSON value as the safetensors header parser reads it: objects keep every key in order, duplicates
/// included, so the validator can refuse them instead of silently keeping one.
indirect enum SafetensorsJSON: Equatable {
    case object([(key: String, value: SafetensorsJSON)])
    case array([SafetensorsJSON])
    case string(String)
    /// A non-negative integer written without fraction or exponent that fits in 64 bits.
    case integer(UInt64)
    /// Any other number, kept as written (negative, fractional, exponent, or too large).
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: SafetensorsJSON, rhs: SafetensorsJSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// What the value is, for error messages (`"a string"`, `"the number -1"`).
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .integer(let value): return "the number \(value)"
        case .number(let text): return "the number \(text)"
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        }
    }
}
