import DAConvMerge
import TorchCheckpoint

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The report of a merge or a verification: per-layer numeric evidence plus what else was found.
public struct EquivalenceReport: Sendable {
    public var layers: [LayerCheck]
    /// Entries left out of the output (optimizer state), by path.
    public var dropped: [String]
    public var warnings: [String]
    /// `verify` only: whether everything that is not a DAConv is present and identical.
    public var passThrough: PassThroughCheck?
    /// Entries written (merge) or found (verify) in the form `torch.load(weights_only=True)` accepts.
    public var converted: [ConvertedEntry] = []

    public init(layers: [LayerCheck], dropped: [String] = [], warnings: [String] = [], passThrough: PassThroughCheck? = nil) {
        self.layers = layers
        self.dropped = dropped
        self.warnings = warnings
        self.passThrough = passThrough
    }

    public var passed: Bool {
        layers.allSatisfy(\.passed) && (passThrough?.passed ?? true)
    }

    public func json() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("passed", .bool(passed)),
            ("layers", .array(layers.map(Self.layerJSON))),
            ("dropped", .array(dropped.map(JSONValue.string))),
            ("warnings", .array(warnings.map(JSONValue.string))),
            (
                "converted",
                .array(
                    converted.map {
                        .object([("path", .string($0.path)), ("from", .string($0.from)), ("to", .string($0.to))])
                    })
            ),
        ]
        if let passThrough { members.append(("pass_through", passThrough.json())) }
        return .object(members)
    }

    static func layerJSON(_ layer: LayerCheck) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("module", .string(layer.module)),
            ("kernel", .array(layer.kernel.map(JSONValue.int))),
            ("dtype", .string(layer.dtype.rawValue)),
            ("max_abs_error", .double(layer.maxAbsError)),
            ("max_rel_error", .double(layer.maxRelError)),
            ("tolerance", .double(layer.tolerance)),
            ("margin", .double(layer.margin)),
            ("passed", .bool(layer.passed)),
            ("stride", .array(layer.stride.map(JSONValue.int))),
            ("dilation", .array(layer.dilation.map(JSONValue.int))),
            ("groups", .int(layer.groups)),
            ("geometry", .string(layer.geometrySource.rawValue)),
            ("probe_shape", .array(layer.probeShape.map(JSONValue.int))),
            ("tolerance_rule", .string(layer.toleranceRule)),
        ]
        if let problem = layer.problem { members.append(("problem", .string(problem))) }
        return .object(members)
    }

    /// A table for people: one row per layer, then the verdict.
    public func text() -> String {
        var rows: [[String]] = [
            ["module", "kernel", "dtype", "stride", "max abs error", "max rel error", "tolerance", "margin", "result"]
        ]
        for layer in layers {
            rows.append([
                layer.module, "\(layer.kernel[0])x\(layer.kernel[1])", layer.dtype.rawValue,
                "\(layer.stride[0])x\(layer.stride[1])" + (layer.geometrySource == .assumed ? "*" : ""),
                Self.scientific(layer.maxAbsError), Self.scientific(layer.maxRelError), Self.scientific(layer.tolerance),
                Self.marginText(layer.margin), layer.passed ? "ok" : "FAILED" + (layer.problem.map { ": \($0)" } ?? ""),
            ])
        }
        var lines = layers.isEmpty ? [] : Formatting.table(rows, rightAligned: [4, 5, 6, 7])
        if layers.contains(where: { $0.geometrySource == .assumed }) {
            lines.append(
                "* a state_dict stores no stride, dilation or groups: probed as stride 1, one group (the fold is the same for each)"
            )
        }
        if let passThrough { lines += passThrough.textLines() }
        lines += dropped.map { "dropped: \($0) (optimizer state refers to parameters by position; --keep-optimizer keeps it)" }
        lines += converted.map { "converted: \($0.path) (\($0.from) -> \($0.to))" }
        lines += warnings.map { "warning: \($0)" }
        let failed = layers.filter { !$0.passed }.count
        lines.append(
            passed
                ? "equivalent: \(Formatting.plural(layers.count, "layer")) checked"
                : "NOT equivalent: \(failed) of \(Formatting.plural(layers.count, "layer")) failed"
                    + (passThrough?.passed == false ? ", pass-through differs" : ""))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Error over tolerance with three significant digits (`0.0412`, `0.734`, `12.3`): 1 is the limit.
    public static func marginText(_ margin: Double) -> String {
        guard margin.isFinite else { return margin.isNaN ? "nan" : "inf" }
        guard margin >= 0.001 else { return margin == 0 ? "0" : "<0.001" }
        var digits = max(0, 2 - Int(log10(margin).rounded(.down)))
        var scaled = Int((margin * pow(10, Double(digits))).rounded())
        if scaled >= 1000 && digits > 0 {  // 0.9996 rounds up to 1.00, not 1.000
            digits -= 1
            scaled = Int((Double(scaled) / 10).rounded())
        }
        guard digits > 0 else { return String(scaled) }
        let text = String(scaled)
        let padded = String(repeating: "0", count: max(0, digits + 1 - text.count)) + text
        return padded.dropLast(digits) + "." + padded.suffix(digits)
    }

    /// `1.23e-07`: errors span many orders of magnitude.
    public static func scientific(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : "inf" }
        guard value != 0 else { return "0" }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var hundredths = Int((abs(value) / pow(10, Double(exponent)) * 100).rounded())
        if hundredths >= 1000 {
            hundredths = Int((Double(hundredths) / 10).rounded())
            exponent += 1
        }
        let mantissa = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        let exponentText = (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
        return (value < 0 ? "-" : "") + mantissa + "e" + exponentText
    }
}
