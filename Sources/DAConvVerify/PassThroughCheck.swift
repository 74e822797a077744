import DAConvMerge
import TorchCheckpoint

/// Whether every tensor that is not part of a DAConv is present and identical in the merged checkpoint.
public struct PassThroughCheck: Sendable, Equatable {
    public var compared: Int
    /// Tensors of the original missing from the merged checkpoint.
    public var missing: [String]
    /// Tensors of the merged checkpoint the original does not explain.
    public var extra: [String]
    /// Tensors present in both whose dtype, shape or values differ, with what differs.
    public var changed: [String]

    public init(compared: Int, missing: [String] = [], extra: [String] = [], changed: [String] = []) {
        self.compared = compared
        self.missing = missing
        self.extra = extra
        self.changed = changed
    }

    public var passed: Bool { missing.isEmpty && extra.isEmpty && changed.isEmpty }

    func json() -> JSONValue {
        .object([
            ("passed", .bool(passed)), ("compared", .int(compared)),
            ("missing", .array(missing.map(JSONValue.string))), ("extra", .array(extra.map(JSONValue.string))),
            ("changed", .array(changed.map(JSONValue.string))),
        ])
    }

    func textLines() -> [String] {
        guard !passed else { return ["pass-through: \(Formatting.plural(compared, "entry")) identical (tensors and scalars)"] }
        return missing.map { "pass-through: missing from the merged checkpoint: \($0)" }
            + extra.map { "pass-through: not in the original: \($0)" }
            + changed.map { "pass-through: changed: \($0)" }
    }
}
