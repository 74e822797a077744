import PickleMachine
import TorchCheckpoint

/// A global the pickle references, and whether torch's weights-only loader would accept it.
public struct GlobalVerdict: Sendable, Equatable {
    public let name: String
    /// On torch's weights-only allow-list.
    public let allowed: Bool
    /// How the pickle used it: pushed as a value, called (REDUCE/INST/OBJ), instantiated (NEWOBJ), ...
    public let uses: [String]

    static func verdicts(_ globals: [PickleGlobalUse]) -> [GlobalVerdict] {
        globals.map { use in
            GlobalVerdict(name: use.global.qualifiedName, allowed: TorchAllowList.allows(use.global), uses: PickleGlobalUsage.allCases.filter { use.usages[$0] != nil }.map(\.rawValue))
        }
    }
}
