import CheckpointContainers
import DAConvMerge
import DAConvVerify
import TorchCheckpoint

/// What to merge and how.
public struct MergeRequest: Sendable {
    public var input: String
    public var output: String
    public var merge = MergeOptions()
    public var replaceExisting = false
    /// The output container; nil: from OUTPUT's extension (`.safetensors`, else torch's zip format).
    public var format: CheckpointOutputFormat?
    public var probe = ProbeOptions()
    /// Called as tensor data is written: bytes so far and in all.
    public var progress: (@Sendable (_ written: Int, _ total: Int) -> Void)?

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

/// Reads, folds and writes under a temporary name while a pipeline checks every merged layer against its
/// DAConv by running both on probe inputs (the merged conv with exactly the bytes handed to the writer);
/// then reopens the written file to check its structure, and only then gives the output its name.
public enum MergeRun {
    public static func run(_ request: MergeRequest) throws -> MergeOutcome {
        try refuseOverwritingInput(request)
        let format = request.format ?? .inferred(from: request.output)
        let written = try writeProbed(request, format: format)
        let pending = written.output.pending
        try checkStructure(of: pending, folds: written.folds, format: format, outputName: written.output.outputName)
        var warnings = written.warnings + written.output.notes
        if !written.devices.isEmpty {
            warnings.append(
                "storages saved on \(written.devices.sorted().joined(separator: ", ")) are written as cpu (load with map_location to move them)"
            )
        }
        var report = EquivalenceReport(layers: written.layers, dropped: written.dropped, warnings: warnings)
        report.converted = written.converted
        guard report.passed else {
            pending.discard()
            return MergeOutcome(report: report, written: nil, fromWholeModel: written.fromWholeModel)
        }
        try pending.commit()
        return MergeOutcome(report: report, written: pending.summary, fromWholeModel: written.fromWholeModel)
    }

    /// The devices other than the cpu that `checkpoint`'s storages were saved on (a string test per storage,
    /// not a hash: a state dict has tens of thousands of them, nearly always all on the cpu).
    private static func devices(of checkpoint: Checkpoint) -> Set<String> {
        var devices: Set<String> = []
        for storage in checkpoint.storages.values where storage.location != "cpu" { devices.insert(storage.location) }
        return devices
    }

    /// A written output, its layers' checks, and what the report needs of the plan (not its draft).
    private struct ProbedWrite {
        let output: MergeOutput
        let layers: [LayerCheck]
        let folds: [PlannedFold]
        let dropped: [String]
        let converted: [ConvertedEntry]
        let warnings: [String]
        let fromWholeModel: Bool
        /// Devices other than the cpu the input's storages were saved on.
        let devices: Set<String>
    }

    /// Reads, plans, writes and probes; the input and the draft are let go on return, before the written
    /// file is read back, so they and what the check reads are never in memory together.
    private static func writeProbed(_ request: MergeRequest, format: CheckpointOutputFormat) throws -> ProbedWrite {
        let input = try CheckpointReader.open(request.input)
        // The input's tree is read no more once planned: the draft takes it rather than copying it.
        let plan = try MergePlanner.plan(handingOverGraphOf: input, options: request.merge)
        // The pipeline checks the float32 weight records it reads whole; everything else is checked here,
        // before a byte is written. Either way a mismatch fails the merge before the output gets its name.
        try input.verifyStorageChecksums(except: FoldPipeline.recordsCheckedOnRead(plan.folds, input: input))
        let pipeline = FoldPipeline(folds: plan.folds, input: input, probe: request.probe)
        pipeline.start()
        defer { pipeline.cancel() }
        var options = CheckpointWriteOptions(replaceExisting: request.replaceExisting)
        options.progress = request.progress
        let output = try MergeOutput.write(
            plan, folded: pipeline, input: input, format: format, to: request.output, options: options)
        let layers = try pipeline.checksWhenDone()
        return ProbedWrite(
            output: output, layers: layers, folds: plan.folds, dropped: plan.dropped, converted: plan.converted,
            warnings: plan.warnings, fromWholeModel: plan.fromWholeModel,
            devices: devices(of: input))
    }

    /// Reads the written file back and checks that every merged tensor is where the plan put it, with its
    /// shape and dtype: the probes ran on the bytes handed to the writer, this covers the rest of the writer.
    /// `outputName` maps the plan's names to the file's (a safetensors file holds one state dict). A zip
    /// checkpoint is read only as far as the folded tensors need (``WrittenTensorLookup``: the whole pickle under
    /// torch's allow-list, the merged tensors' rebuild calls and geometry, every declaration of their storage keys
    /// and their records' presence and size; not the rest of the pickle's tensors, which the writer wrote as
    /// they were read) unless a path leads through containers only a full listing names, which opens it in full.
    static func checkStructure(
        of pending: PendingCheckpoint, folds: [PlannedFold], format: CheckpointOutputFormat,
        outputName: (String) -> String? = { $0 }
    ) throws {
        let names = Set(folds.flatMap { [$0.weightName] + ($0.biasName.map { [$0] } ?? []) }.compactMap(outputName))
        let byName: [String: TorchTensor]
        if format == .zip, let found = try WrittenTensorLookup.tensors(named: names, inZipCheckpoint: pending.temporaryPath) {
            byName = found
        } else {
            byName = try firstTensors(named: names, in: CheckpointReader.open(pending.temporaryPath))
        }
        for fold in folds {
            let expected =
                [(fold.weightName, fold.module.weightShape)] + (fold.biasName.map { [($0, [fold.module.outChannels])] } ?? [])
            for (planName, shape) in expected {
                guard let name = outputName(planName) else { continue }
                guard let tensor = byName[name], tensor.shape == shape, tensor.dtype == fold.module.dtype else {
                    pending.discard()
                    throw CheckpointError(
                        path: pending.destination,
                        .writeFailed(
                            "the written file lacks \(name) as \(fold.module.dtype.rawValue) \(shape), which the plan put there (a bug in merge-daconv: please report it)"
                        ))
                }
            }
        }
    }

    /// The first tensor under each of `names` in `checkpoint`'s tree (a name's path is spelled only for tensors).
    private static func firstTensors(named names: Set<String>, in checkpoint: Checkpoint) throws -> [String: TorchTensor] {
        var found: [String: TorchTensor] = [:]
        let entries = try checkpoint.entries()
        for index in entries.indices where found.count < names.count {
            guard let id = entries.value(at: index).nodeID, let tensor = checkpoint.tensors[id] else { continue }
            let name = entries.dottedPath(at: index)
            if names.contains(name) && found[name] == nil { found[name] = tensor }
        }
        return found
    }

    /// The input is never written: refuse an output that is the input file, by name or by inode.
    static func refuseOverwritingInput(_ request: MergeRequest) throws {
        let same =
            request.input == request.output
            || {
                guard let a = OutputPlacement.identity(of: request.input), let b = OutputPlacement.identity(of: request.output)
                else { return false }
                return a == b
            }()
        if same {
            throw CheckpointError(path: request.output, .writeFailed("it is the input file; merge-daconv never writes its input"))
        }
    }
}
