import PickleMachine

/// How a scalar of the value tree is kept in a safetensors `__metadata__`, whose values are strings: as
/// Python's `str()` spells it (`12`, `0.001`, `True`, the string itself), so a Python reader can turn it back
/// with `int()`, `float()` or a comparison to `"True"`.
public enum SafetensorsScalarText {
    /// The text of a string, integer, float or bool; nil for anything else (None, bytes, containers).
    public static func text(of value: PickleValue) -> String? {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bigInt(let number): return number.description
        case .float(let number): return PythonRepr.float(number)
        case .bool(let flag): return flag ? "True" : "False"
        case .none, .bytes, .node: return nil
        }
    }
}
