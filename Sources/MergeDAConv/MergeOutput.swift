import DAConvMerge
import TorchCheckpoint

/// Writes a merge plan's draft in the requested container, under a temporary name, and says how the plan's
/// dotted names map to names in the written file (safetensors holds one state dict, so a training
/// checkpoint's `model.stem.weight` is `stem.weight` there, and `ema.*` is not there at all).
struct MergeOutput {
    let pending: PendingCheckpoint
    /// Report lines about the container (what safetensors kept, moved, copied or left out).
    let notes: [String]
    /// The name in the written file of a tensor at a dotted path of the draft, or nil if the file lacks it.
    let outputName: @Sendable (String) -> String?

    static func write(
        _ plan: MergePlan, folded: any ComputedTensorSource, input: Checkpoint, format: CheckpointOutputFormat,
        to destination: String,
        options: CheckpointWriteOptions
    ) throws -> MergeOutput {
        switch format {
        case .zip:
            let pending = try CheckpointWriter.writePending(plan.draft, computed: folded, to: destination, options: options)
            var notes: [String] = []
            if let metadata = input.format.safetensors?.metadata, !metadata.isEmpty {
                notes.append(
                    "the input's safetensors __metadata__ (\(metadata.map(\.key).joined(separator: ", "))) is not written to a zip checkpoint"
                )
            }
            return MergeOutput(pending: pending, notes: notes, outputName: { $0 })
        case .safetensors:
            let (pending, report) = try SafetensorsCheckpointWriter.writePending(
                plan.draft, computed: folded, to: destination, options: options)
            return MergeOutput(pending: pending, notes: report.notes, outputName: { report.outputName(forPath: $0) })
        }
    }
}
