import PickleMachine
import TorchCheckpoint

/// The readable and JSON forms of `merge-daconv inspect --audit`.
extension CheckpointAudit {
    /// The overall verdict: `dangerous`, `incomplete` (a pickle could not be scanned to its end),
    /// `unsafe for torch.load`, `decoded as data`, or `allowed`.
    public var verdict: String {
        if !dangerous.isEmpty { return GlobalRisk.dangerous.rawValue }
        if !isComplete { return "incomplete" }
        if globals.contains(where: { $0.risk == .unsafeForTorchLoad }) { return GlobalRisk.unsafeForTorchLoad.rawValue }
        if globals.contains(where: { $0.risk == .decodedData }) { return GlobalRisk.decodedData.rawValue }
        return GlobalRisk.allowed.rawValue
    }

    /// The table `inspect --audit` prints: one row per global, then any scan that stopped early, then the verdict.
    public func text() -> String {
        var lines = ["audit       \(path)  (\(container); pickles: \(pickles.map(\.record).joined(separator: ", ")))"]
        lines.append("")
        lines.append("globals referenced by the pickles: \(globals.count)")
        let rows =
            [["global", "verdict", "uses", "at", "why"]]
            + globals.map { entry in
                [
                    entry.global.qualifiedName, entry.risk.rawValue,
                    entry.usages.map { GlobalVerdict.readableUse[$0.rawValue] ?? $0.rawValue }.joined(separator: ", "),
                    "\(entry.record.split(separator: "/").last ?? "")@\(entry.offset)", entry.reason,
                ]
            }
        if !globals.isEmpty { lines += Formatting.table(rows).map { "  " + $0 } }
        for pickle in pickles {
            if let error = pickle.error {
                lines.append("")
                lines.append("scan of \(pickle.record) stopped: \(error); globals after that point were not seen")
            }
        }
        lines.append("")
        lines.append("verdict     " + summary)
        return lines.joined(separator: "\n") + "\n"
    }

    private var summary: String {
        switch verdict {
        case GlobalRisk.dangerous.rawValue:
            return "DANGEROUS: \(Formatting.plural(dangerous.count, "global")) would run code if this file were "
                + "unpickled (\(dangerous.map(\.global.qualifiedName).joined(separator: ", "))); merge-daconv refuses it, never torch.load it"
        case "incomplete":
            return "INCOMPLETE: a pickle could not be scanned to its end; no dangerous global before that point"
        case GlobalRisk.unsafeForTorchLoad.rawValue:
            let unsafe = globals.filter { $0.risk == .unsafeForTorchLoad }.count
            return "no dangerous global; \(Formatting.plural(unsafe, "global")) outside torch's weights-only allow-list "
                + "(kept inert here; torch.load(weights_only=False) would import them)" + decodedNote
        case GlobalRisk.decodedData.rawValue:
            return "no dangerous global; every global is on torch's weights-only allow-list or a data constructor decoded "
                + "as data here, never called" + decodedNote
        default:
            return "safe: every global is on torch's weights-only allow-list"
        }
    }

    /// The data constructors, named: torch refuses them, a merge writes their values in a form it accepts.
    private var decodedNote: String {
        let names = globals.filter { $0.risk == .decodedData }.map(\.global.qualifiedName)
        guard !names.isEmpty else { return "" }
        return " (\(names.joined(separator: ", ")): torch.load(weights_only=True) refuses them; merge writes their values "
            + "in a form it accepts)"
    }

    /// `inspect --audit --json`: `file`, `container`, `verdict`, `complete`, `dangerous` (a count), `pickles`
    /// (`record`, `protocol`, `complete`, `error`) and `globals` (`name`, `verdict`, `allowed`, `reason`, `uses`,
    /// `record`, `offset`).
    public func json() -> JSONValue {
        .object([
            ("file", .string(path)),
            ("container", .string(container)),
            ("verdict", .string(verdict)),
            ("complete", .bool(isComplete)),
            ("dangerous", .int(dangerous.count)),
            (
                "pickles",
                .array(
                    pickles.map { pickle in
                        .object([
                            ("record", .string(pickle.record)), ("protocol", .int(pickle.protocolVersion)),
                            ("complete", .bool(pickle.error == nil)),
                            ("error", pickle.error.map { .string($0.description) } ?? .null),
                        ])
                    })
            ),
            (
                "globals",
                .array(
                    globals.map { entry in
                        .object([
                            ("name", .string(entry.global.qualifiedName)), ("verdict", .string(entry.risk.rawValue)),
                            ("allowed", .bool(entry.risk == .allowed)), ("reason", .string(entry.reason)),
                            ("uses", .array(entry.usages.map { .string($0.rawValue) })),
                            ("record", .string(entry.record)), ("offset", .int(entry.offset)),
                        ])
                    })
            ),
        ])
    }
}
