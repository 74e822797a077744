import TorchCheckpoint

/// The conditions under which a DAConv's branches fold exactly into one convolution.
enum FoldabilityCheck {
    /// Why these branches cannot be folded, or nil when they can.
    static func problem(with branches: [DAConvModule.Branch]) -> String? {
        guard let first = branches.first else { return "the rules name no branch" }
        let shape = first.weight.shape
        guard shape.count == 4 else { return "\(first.weightName) has shape \(shape), expected [out, in/groups, kh, kw]" }
        guard shape[2] % 2 == 1, shape[3] % 2 == 1 else {
            return "kernel \(shape[2])x\(shape[3]) is even: the spatial sum has no centre tap to go to"
        }
        guard first.weight.dtype.isFoldable else {
            return "\(first.weightName) has dtype \(first.weight.dtype), not a floating type"
        }
        for branch in branches {
            guard branch.weight.shape == shape else {
                return "branch shapes differ: \(first.weightName) is \(shape), \(branch.weightName) is \(branch.weight.shape)"
            }
            guard branch.weight.dtype == first.weight.dtype else {
                return "branch dtypes differ: \(first.weight.dtype) and \(branch.weight.dtype)"
            }
            if let bias = branch.bias, let name = branch.biasName {
                guard bias.shape == [shape[0]] else { return "\(name) has shape \(bias.shape), expected [\(shape[0])]" }
                guard bias.dtype == first.weight.dtype else {
                    return "\(name) has dtype \(bias.dtype), expected \(first.weight.dtype)"
                }
            }
            if let gate = branch.gate, let name = branch.gateName {
                guard gate.elementCount == 1 else { return "gate \(name) is not a scalar: shape \(gate.shape)" }
                guard gate.dtype.isFoldable else { return "gate \(name) has dtype \(gate.dtype), not a floating type" }
            }
        }
        return nil
    }
}
