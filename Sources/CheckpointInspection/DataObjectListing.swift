import PickleMachine
import TorchCheckpoint

/// A value of the checkpoint that torch's weights-only loader refuses but this tool reads as data: a numpy
/// scalar, array or dtype, a path, a defaultdict, or an inert object (what a merge converts, see
/// ``WeightsOnlyConversion``).
public struct DataObjectEntry: Sendable {
    /// Dotted path from the root (its first, when the value is shared).
    public let path: String
    /// Python's type: `numpy.float64`, `numpy.ndarray`, `pathlib.PosixPath`, `argparse.Namespace`, ...
    public let type: String
    /// numpy dtype (`float64`, `>i4`) of scalars, arrays and dtypes.
    public let dtype: String?
    /// numpy's shape of arrays and scalars (`[]`).
    public let shape: [Int]?
    /// The value as Python prints it (arrays: their first elements), or what an object holds.
    public let summary: String
    /// The value for JSON (arrays of at most ``DataObjectEntry/valueLimit`` elements: every element).
    public let value: JSONValue?

    /// Arrays longer than this show their first elements only.
    public static let valueLimit = 64

    /// Every such value reachable from the root outside whole pickled models, in tree order.
    static func list(_ checkpoint: Checkpoint, models: [PickledModel]) throws -> [DataObjectEntry] {
        let leaves = PickleNodeSet(
            checkpoint.tensors.keys + models.compactMap { $0.modules.first?.node }, nodeCount: checkpoint.graph.nodeCount)
        let conversions = try WeightsOnlyConversion.plan(
            graph: checkpoint.graph, root: checkpoint.root, decoded: checkpoint.decoded,
            defaultDicts: checkpoint.defaultDictFactories, leaves: leaves, maxDepth: CheckpointLimits.standard.maxDepth)
        return conversions.compactMap { conversion in
            if let data = checkpoint.decoded[conversion.node] { return entry(conversion.path, data) }
            if case .global = checkpoint.graph.kind(of: conversion.node) { return nil }
            let type = checkpoint.defaultDictFactories[conversion.node] != nil ? "collections.defaultdict" : conversion.from
            return DataObjectEntry(path: conversion.path, type: type, dtype: nil, shape: nil, summary: conversion.to, value: nil)
        }
    }

    static func entry(_ path: String, _ data: DecodedData) -> DataObjectEntry {
        switch data {
        case .numpyScalar(let scalar):
            return DataObjectEntry(
                path: path, type: data.typeName, dtype: scalar.dtype.text, shape: [], summary: scalar.text, value: scalar.json)
        case .numpyArray(let array):
            let shown = array.elements(limit: valueLimit)
            let listed = shown.prefix(8).map(\.text).joined(separator: ", ") + (array.elementCount > 8 ? ", ..." : "")
            let summary = array.shape.isEmpty ? listed : "[" + listed + "]"
            return DataObjectEntry(
                path: path, type: data.typeName, dtype: array.dtype.text, shape: array.shape, summary: summary,
                value: array.elementCount <= valueLimit ? .array(shown.map(\.json)) : nil)
        case .numpyDType(let dtype):
            return DataObjectEntry(
                path: path, type: data.typeName, dtype: dtype.text, shape: nil, summary: dtype.text, value: .string(dtype.text))
        case .path(let value):
            return DataObjectEntry(
                path: path, type: data.typeName, dtype: nil, shape: nil, summary: "'\(value.text)'", value: .string(value.text))
        }
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("path", .string(path)), ("type", .string(type))]
        if let dtype { members.append(("dtype", .string(dtype))) }
        if let shape { members.append(("shape", .array(shape.map(JSONValue.int)))) }
        members.append(("summary", .string(summary)))
        if let value { members.append(("value", value)) }
        return .object(members)
    }
}

extension CheckpointInspection {
    /// The `data objects` section of the text report.
    var dataObjectLines: [String] {
        guard !dataObjects.isEmpty else { return [] }
        let rows =
            [["path", "type", "dtype", "shape", "value"]]
            + dataObjects.map { entry in
                [
                    entry.path, entry.type, entry.dtype ?? "", entry.shape.map { Formatting.shape($0) } ?? "",
                    entry.summary.count > 60 ? String(entry.summary.prefix(57)) + "..." : entry.summary,
                ]
            }
        return [
            "",
            "data objects (read as data, never run; merge converts them for torch.load(weights_only=True)): \(dataObjects.count)",
        ]
            + Formatting.table(rows).map { "  " + $0.withControlCharactersAsSpaces }
    }
}
