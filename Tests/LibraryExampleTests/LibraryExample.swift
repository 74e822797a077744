import MergeDAConv

/// Merges `input` into `output` (as `merge-daconv IN OUT --force` does), checks the written file with the
/// independent verifier (as `merge-daconv verify IN OUT` does), and returns one line per merged layer.
func mergeAndVerify(_ input: String, into output: String) throws -> [String] {
    // Opening reads the structure (pickle, storages, tensor geometry), not the tensors' bytes.
    let modules = try CheckpointInspection(CheckpointReader.open(input)).daconv.modules
    var lines = ["\(input): \(modules.count) DAConv modules"]

    // Folds, probes each merged layer against its DAConv, writes under a temporary name, then renames.
    var request = MergeRequest(input: input, output: output)
    request.replaceExisting = true
    let merge = try MergeRun.run(request)
    guard merge.written != nil else { throw MergeFailure(kind: .notEquivalent, message: merge.report.text()) }

    // Pairs each DAConv of the input with the plain conv in the output; everything else must be identical.
    let verify = try VerifyRun.run(VerifyRequest(original: input, merged: output))
    for (merged, verified) in zip(merge.report.layers, verify.layers) {
        let margins = [merged.margin, verified.margin].map(EquivalenceReport.marginText)
        lines.append("\(merged.module): margin \(margins[0]) in merge, \(margins[1]) in verify")
    }
    lines.append(verify.passed ? "equivalent" : "NOT equivalent")
    return lines
}
