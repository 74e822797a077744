import DAConvMerge
import TorchCheckpoint

extension DAConvValues {
    /// Reads a DAConv module's branch tensors from its checkpoint, converted exactly to float64.
    public static func read(_ module: DAConvModule, from checkpoint: Checkpoint) throws -> DAConvValues {
        let branches = try module.branches.map { branch in
            DAConvFold.Branch(
                kind: branch.rule.kind,
                theta: try branch.gate.map { try checkpoint.doubleValues(of: $0)[0] },
                weight: try checkpoint.doubleValues(of: branch.weight),
                bias: try branch.bias.map { try checkpoint.doubleValues(of: $0) })
        }
        return DAConvValues(branches: branches, shape: module.weightShape, dtype: module.dtype)
    }
}

extension MergedConvValues {
    /// Reads a merged conv's weight and optional bias as stored.
    public static func read(weight: TorchTensor, bias: TorchTensor?, from checkpoint: Checkpoint) throws -> MergedConvValues {
        MergedConvValues(
            weight: try checkpoint.doubleValues(of: weight), weightShape: weight.shape,
            bias: try bias.map { try checkpoint.doubleValues(of: $0) }, dtype: weight.dtype)
    }
}
