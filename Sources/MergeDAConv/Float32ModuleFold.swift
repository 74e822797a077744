import ConvEngine
import DAConvMerge
import DAConvVerify
import TorchCheckpoint

/// The fold and check of one float32 DAConv module, the common case. Its values stay float32 until the
/// probe's convolutions pack them: the fused fold kernel reads the branches once (bit-identical to
/// `DAConvFold`) and takes the statistics the probe needs on the way.
///
/// When every branch weight is one stored record, the probe runs on one thread (the pipeline's workers
/// share the cores) and can be computed by blocks of output channels, the module is read, folded and
/// probed `rowsPerBlock` channels at a time: the block's branch
/// rows are read into small buffers (their records' CRC-32 checked run by run), folded into the merged
/// weight, and convolved with the probe input while all of it is still in cache. The branches are then
/// never whole in memory. Otherwise the branches are read whole and probed once folded. Either way the
/// folded bytes and every figure of the check are the same.
struct Float32ModuleFold {
    /// Output channels per block: a multiple of the probe multiply's 24-row weight panels.
    static let rowsPerBlock = 48

    let fold: PlannedFold
    let input: Checkpoint
    let probe: ProbeOptions
    let name: String

    func run() throws -> (weight: [Float], bias: [Float]?, check: LayerCheck) {
        let (branches, mergedBias) = try gatesAndBiases()
        if let result = try byRowBlocks(branches, mergedBias: mergedBias) { return result }
        return try whole(branches, mergedBias: mergedBias)
    }

    /// Each branch's kind, gate and bias (its weight left empty), and the folded bias.
    func gatesAndBiases() throws -> (branches: [ProbeModule<Float>.Branch], mergedBias: [Float]?) {
        var plain: [DAConvFold.Branch] = []
        var branches: [ProbeModule<Float>.Branch] = []
        for branch in fold.module.branches {
            let theta = try branch.gate.map { try input.doubleValues(of: $0)[0] }
            let bias = try branch.bias.map { try input.float32Values(of: $0) }
            plain.append(DAConvFold.Branch(kind: branch.rule.kind, theta: theta, weight: [], bias: bias?.map(Double.init)))
            branches.append(.init(kind: branch.rule.kind, gate: plain[plain.count - 1].gate, weight: [], bias: bias))
        }
        let mergedBias =
            fold.module.hasBias ? DAConvFold.foldBias(plain, outChannels: fold.module.outChannels).map { Float($0) } : nil
        return (branches, mergedBias)
    }

    /// Nil when the module cannot be read or probed by blocks.
    func byRowBlocks(
        _ branches: [ProbeModule<Float>.Branch], mergedBias: [Float]?
    ) throws -> (weight: [Float], bias: [Float]?, check: LayerCheck)? {
        let shape = fold.module.weightShape
        guard (probe.threads ?? ConvOptions.defaultThreads) == 1 else { return nil }
        var runs: [Float32TensorRuns] = []
        for branch in fold.module.branches {
            guard let branchRuns = input.float32Runs(of: branch.weight) else { return nil }
            runs.append(branchRuns)
        }
        guard
            let rowProbe = RowBlockProbe(
                module: name, shape: shape, kinds: branches.map(\.kind), geometry: fold.geometry, options: probe)
        else { return nil }
        let perRow = shape.dropFirst().reduce(1, *)
        let biases = branches.map(\.bias)
        let (weight, statistics) = try FastFold.foldFloat32ByRowBlocks(
            branches: branches.map { ($0.kind, $0.gate) }, shape: shape, rowsPerBlock: Self.rowsPerBlock
        ) { rows, buffers in
            for index in runs.indices { try runs[index].read(rows.count * perRow, into: &buffers[index]) }
        } use: { block in
            rowProbe.multiply(block, biases: biases, mergedBias: mergedBias)
        }
        let module = ProbeModule<Float>(
            branches: branches, mergedWeight: [], mergedBias: mergedBias, shape: shape, statistics: statistics)
        return (weight, mergedBias, rowProbe.check(module, dtype: .float32))
    }

    func whole(
        _ branches: [ProbeModule<Float>.Branch], mergedBias: [Float]?
    ) throws -> (weight: [Float], bias: [Float]?, check: LayerCheck) {
        var branches = branches
        for (index, branch) in fold.module.branches.enumerated() {
            branches[index].weight = try input.float32ValuesCheckingRecord(of: branch.weight)
        }
        let (mergedWeight, statistics) = FastFold.foldFloat32WithStatistics(
            branches: branches.map { FastFold.Branch(kind: $0.kind, gate: $0.gate, weight: $0.weight) },
            shape: fold.module.weightShape)
        let module = ProbeModule<Float>(
            branches: branches, mergedWeight: mergedWeight, mergedBias: mergedBias, shape: fold.module.weightShape,
            statistics: statistics)
        let check = EquivalenceProbe.check(module: name, probe: module, dtype: .float32, geometry: fold.geometry, options: probe)
        return (mergedWeight, mergedBias, check)
    }
}
