import PickleMachine
import TorchCheckpoint

/// Options of a merge.
public struct MergeOptions: Sendable {
    public var rules: DAConvRules = .standard
    /// Keep optimizer state verbatim (it refers to parameters by position, which folding changes).
    public var keepOptimizer = false
    /// Write numpy values, paths and inert objects back as they were read, not in the form
    /// `torch.load(weights_only=True)` accepts (the output then needs `weights_only=False`, as the input did).
    public var keepObjects = false

    public init(rules: DAConvRules = .standard, keepOptimizer: Bool = false, keepObjects: Bool = false) {
        self.rules = rules
        self.keepOptimizer = keepOptimizer
        self.keepObjects = keepObjects
    }
}

/// One DAConv module to fold, and where its merged tensors go.
public struct PlannedFold: Sendable {
    public let module: DAConvModule
    /// `P.weight` and `P.bias` as dotted paths from the root of the output.
    public let weightName: String
    public let biasName: String?
    /// Stride, padding, dilation and groups when a whole pickled model recorded them.
    public let geometry: ModuleGeometry?
}

/// Everything a merge will write, decided from the structure alone. Fold `i`'s weight and bias are the draft's
/// computed tensors `ComputedTensorID(index: i, part: .weight/.bias)`: their bytes come from the source the
/// writer is given when it writes (the merge's fold pipeline).
public struct MergePlan: Sendable {
    public var draft: CheckpointDraft
    public var folds: [PlannedFold]
    /// Paths of entries left out of the output (optimizer state).
    public var dropped: [String]
    /// Entries written in the form `torch.load(weights_only=True)` accepts instead of as they were read.
    public var converted: [ConvertedEntry]
    public var warnings: [String]
    /// The input was a whole pickled model; the output is its merged state_dict.
    public var fromWholeModel: Bool
}

/// Why a merge cannot be done.
public enum MergeError: Error, Equatable, CustomStringConvertible {
    /// The first module of the checkpoint `file` that cannot be folded, and how many others cannot either.
    case unfoldable(file: String, UnfoldableModule, others: Int)
    /// The output would name a dangerous global (``GlobalRisk/dangerous``), reached at `path` of the tree
    /// of the checkpoint `file`.
    case dangerousGlobal(file: String, name: String, path: String)

    public var description: String {
        switch self {
        case .unfoldable(let file, let module, let others):
            return "\(file): " + module.description + (others > 0 ? " (and \(others) more module\(others == 1 ? "" : "s"))" : "")
        case .dangerousGlobal(let file, let name, let path):
            return
                "\(file): \(path) holds an object of \(name), a dangerous global (see inspect --audit); it is never written to an output"
        }
    }
}
