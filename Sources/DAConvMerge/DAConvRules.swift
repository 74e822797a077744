/// How a DAConv module's branches are named and folded.
///
/// The public release has two gated branches, `cac` (added with its kernel's spatial sum at the centre) and
/// `cdc` (the sum subtracted). Variants rename them, add a plain "vanilla" conv branch, or drop a gate;
/// users describe those with a rules file or command-line options instead of code.
public struct DAConvRules: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `W + centre(sum_hw W)`: the CA unit.
        case add
        /// `W - centre(sum_hw W)`: the DA unit.
        case difference
        /// `W` unchanged.
        case vanilla
    }

    public struct Branch: Sendable, Equatable {
        /// Child module name: the branch's tensors are `P.<name>.weight` and `P.<name>.bias`.
        public var name: String
        public var kind: Kind
        /// Scalar parameter `P.<gate>` whose sigmoid scales the branch, or nil for an ungated branch (scale 1).
        public var gate: String?

        public init(name: String, kind: Kind, gate: String?) {
            self.name = name
            self.kind = kind
            self.gate = gate
        }
    }

    public var branches: [Branch]

    public init(branches: [Branch]) {
        self.branches = branches
    }

    /// The public DAConv release: `cac` (add, gate `cac_theta`) and `cdc` (difference, gate `cdc_theta`).
    public static let standard = DAConvRules(branches: [
        Branch(name: "cac", kind: .add, gate: "cac_theta"),
        Branch(name: "cdc", kind: .difference, gate: "cdc_theta"),
    ])

    /// Every key a module with these rules may hold, relative to its prefix.
    public var keySuffixes: [String] {
        branches.flatMap { branch in [branch.name + ".weight", branch.name + ".bias"] + (branch.gate.map { [$0] } ?? []) }
    }
}
