import PickleMachine
import TorchCheckpoint

/// A global the pickle references, and whether torch's weights-only loader would accept it.
public struct GlobalVerdict: Sendable, Equatable {
    public let name: String
    /// On torch's weights-only allow-list.
    public let allowed: Bool
    /// The audit's verdict (``GlobalRisk``): allowed, unsafe for torch.load, or dangerous.
    public let risk: GlobalRisk
    /// How the pickle used it: pushed as a value, called (REDUCE/INST/OBJ), instantiated (NEWOBJ), ...
    public let uses: [String]

    /// How each use reads in the text report.
    static let readableUse: [String: String] = [
        "pushed": "named", "reduce": "called (REDUCE)", "newObject": "instantiated inert (NEWOBJ, never run)",
        "inst": "called (INST)", "obj": "called (OBJ)", "buildTarget": "given state (BUILD)",
        "attributeReference": "getattr(class, name) read as class.name (never called)",
    ]

    static func verdicts(_ globals: [PickleGlobalUse]) -> [GlobalVerdict] {
        globals.map { use in
            GlobalVerdict(
                name: use.global.qualifiedName, allowed: TorchAllowList.allows(use.global),
                risk: GlobalRisk.classify(use.global, usages: Set(use.usages.keys)).risk,
                uses: PickleGlobalUsage.allCases.filter { use.usages[$0] != nil }.map(\.rawValue))
        }
    }
}
