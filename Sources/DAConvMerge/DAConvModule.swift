import TorchCheckpoint

/// One DAConv module found in a checkpoint, with the tensors of each branch.
public struct DAConvModule: Sendable {
    public struct Branch: Sendable {
        public let rule: DAConvRules.Branch
        public let weightName: String
        public let weight: TorchTensor
        public let biasName: String?
        public let bias: TorchTensor?
        public let gateName: String?
        public let gate: TorchTensor?
    }

    /// Dotted prefix `P` (for nested checkpoints, the full path, e.g. `model.stem`).
    public let module: String
    public let branches: [Branch]

    public init(module: String, branches: [Branch]) {
        precondition(!branches.isEmpty, "a DAConv module has branches")
        self.module = module
        self.branches = branches
    }

    /// `[out, in/groups, kh, kw]`, the same for every branch.
    public var weightShape: [Int] { branches[0].weight.shape }
    public var outChannels: Int { weightShape[0] }
    public var inChannelsPerGroup: Int { weightShape[1] }
    public var kernel: (height: Int, width: Int) { (weightShape[2], weightShape[3]) }
    public var dtype: TorchDType { branches[0].weight.dtype }
    public var hasBias: Bool { branches.contains { $0.bias != nil } }
    /// Shape of the first gate (all gates hold one value; their shapes may be `[]` or `[1]`).
    public var gateShape: [Int]? { branches.first(where: { $0.gate != nil })?.gate?.shape }

    /// Every key of the module, in the order the checkpoint holds them.
    public var keys: [String] {
        branches.flatMap { branch in [branch.weightName] + [branch.biasName, branch.gateName].compactMap { $0 } }
    }
}

/// A module that matches the DAConv naming but cannot be folded into one conv.
public struct UnfoldableModule: Error, Sendable, Equatable, CustomStringConvertible {
    public let module: String
    public let reason: String

    public var description: String { "DAConv module \(module) cannot be folded: \(reason)" }
}
