import DAConvMerge
import TorchCheckpoint

/// What to merge and how.
public struct MergeRequest: Sendable {
    public var input: String
    public var output: String
    public var merge = MergeOptions()
    public var replaceExisting = false
    public var probe = ProbeOptions()

    public init(input: String, output: String) {
        self.input = input
        self.output = output
    }
}

/// The result of a merge: the report, and whether the output was written.
public struct MergeOutcome: Sendable {
    public let report: EquivalenceReport
    /// Nil when the output was not committed because a layer failed its check.
    public let written: CheckpointWriteSummary?
    public let fromWholeModel: Bool
}

/// Reads, folds, writes under a temporary name, checks every merged layer against its DAConv by running
/// both on probe inputs (reading the merged weights back from the written file, so the check covers the
/// writer too), and only then gives the output its name.
public enum MergeRun {
    public static func run(_ request: MergeRequest) throws -> MergeOutcome {
        try refuseOverwritingInput(request)
        let input = try CheckpointReader.open(request.input)
        let plan = try MergePlanner.plan(input, options: request.merge)
        var write = CheckpointWriteOptions(replaceExisting: request.replaceExisting)
        write.limits = .standard
        let pending = try CheckpointWriter.writePending(plan.draft, to: request.output, options: write)
        let written = try CheckpointReader.open(pending.temporaryPath)
        let byName = Dictionary(try written.namedTensors().map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        var layers: [LayerCheck] = []
        for fold in plan.folds {
            guard let weight = byName[fold.weightName] else {
                preconditionFailure("the writer wrote \(fold.weightName), planned by the merge")
            }
            let original = try DAConvValues.read(fold.module, from: input)
            let merged = try MergedConvValues.read(weight: weight, bias: fold.biasName.flatMap { byName[$0] }, from: written)
            let module = fold.weightName.dropLast(".weight".count)
            layers.append(EquivalenceProbe.check(
                module: String(module), original: original, merged: merged, geometry: fold.geometry, options: request.probe))
        }
        var warnings = plan.warnings
        let devices = Set(input.storages.values.map(\.location)).subtracting(["cpu"])
        if !devices.isEmpty {
            warnings.append("storages saved on \(devices.sorted().joined(separator: ", ")) are written as cpu (load with map_location to move them)")
        }
        let report = EquivalenceReport(layers: layers, dropped: plan.dropped, warnings: warnings)
        guard report.passed else {
            pending.discard()
            return MergeOutcome(report: report, written: nil, fromWholeModel: plan.fromWholeModel)
        }
        try pending.commit()
        return MergeOutcome(report: report, written: pending.summary, fromWholeModel: plan.fromWholeModel)
    }

    /// The input is never written: refuse an output that is the input file, by name or by inode.
    static func refuseOverwritingInput(_ request: MergeRequest) throws {
        let same = request.input == request.output || {
            guard let a = OutputPlacement.identity(of: request.input), let b = OutputPlacement.identity(of: request.output)
            else { return false }
            return a == b
        }()
        if same {
            throw CheckpointError(path: request.output, .writeFailed("it is the input file; merge-daconv never writes its input"))
        }
    }
}
