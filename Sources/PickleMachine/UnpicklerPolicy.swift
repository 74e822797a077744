/// Decides which callables an unpickled REDUCE, INST or OBJ may name.
///
/// Nothing is ever called: an allowed callable becomes an inert ``PickleNode/Kind/call(_:)`` node
/// for a higher layer (torch's rebuild allow-list) to interpret, and any other callable makes the
/// unpickler throw ``PickleError/refusedCallable(name:opcode:offset:)``. Data constructors the
/// machine understands itself (`collections.OrderedDict`, `builtins.set`, `_codecs.encode`, ...) are
/// handled before the policy is asked. NEWOBJ never calls anything and needs no permission.
public struct UnpicklerPolicy: Sendable {
    /// Modules refused whatever `isAllowedCallable` says, as torch's weights-only loader always
    /// refuses them; submodules (`os.path`) included.
    public static let alwaysRefusedModules: Set<String> = ["os", "posix", "nt", "sys", "subprocess"]

    /// Whether `global` may appear as an inert call node.
    public var isAllowedCallable: @Sendable (PickleGlobal) -> Bool

    /// What a persistent id stands for, when it stands for something already in the graph: like CPython's
    /// `persistent_load`, but it can only pick a value out of the id (nothing is loaded or called). nil, or
    /// a nil result, keeps the id as an inert ``PickleNode/Kind/persistentID`` node. torch's legacy format
    /// needs it: a whole pickled module's class arrives as the id `("module", <class>, file, source)`.
    public var resolvePersistentID: (@Sendable (_ id: PickleValue, _ graph: PickleGraph) -> PickleValue?)?

    /// Set only by ``PickleGlobalScan``: every callable, even of ``alwaysRefusedModules``, becomes an inert
    /// call node so an audit can list what a hostile pickle would run. Internal, so no reader can ask for it.
    var keepsEveryCallInert = false

    /// A policy with a custom decision.
    public init(
        isAllowedCallable: @escaping @Sendable (PickleGlobal) -> Bool,
        resolvePersistentID: (@Sendable (PickleValue, PickleGraph) -> PickleValue?)? = nil
    ) {
        self.isAllowedCallable = isAllowedCallable
        self.resolvePersistentID = resolvePersistentID
    }

    /// Allows exactly the callables whose `module.name` is in `qualifiedNames`.
    public init(allowing qualifiedNames: Set<String>) {
        self.isAllowedCallable = { qualifiedNames.contains($0.qualifiedName) }
    }

    /// Allows no callable beyond the built-in data constructors.
    public static let dataOnly = UnpicklerPolicy(isAllowedCallable: { _ in false })

    /// The decision for `global`, with ``alwaysRefusedModules`` applied first.
    public func allows(_ global: PickleGlobal) -> Bool {
        if keepsEveryCallInert { return true }
        let module = global.module
        for refused in Self.alwaysRefusedModules where module == refused || module.hasPrefix(refused + ".") {
            return false
        }
        return isAllowedCallable(global)
    }
}
