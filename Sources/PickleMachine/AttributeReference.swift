/// `builtins.getattr(<global>, 'name')` through REDUCE: how pickle stores a method or function reached through
/// a class (mmengine's HistoryBuffer keeps `getattr(HistoryBuffer, 'min')` in every checkpoint's message hub).
/// It names the same object as the dotted global `<module> <Class.name>` that protocol 4 writes for it, so it
/// is read as that global, pushed, never called. Only this form is: the owner a global of the pickle, the name
/// a constant identifier that is no dunder (`__class__`, `__globals__` and their kind reach interpreter
/// internals); any other getattr call follows the policy, which refuses it.
enum AttributeReference {
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
            !name.hasPrefix("__")
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
            && name.utf8.count <= 128
    }
}

extension UnpicklerMachine {
    /// The global `owner.name` for `getattr(owner, name)` in the form above, or nil for any other arguments.
    mutating func attributeReference(_ arguments: PickleSlot) throws -> PickleSlot? {
        guard let tuple = nodeID(arguments) else { return nil }
        let args = graph.items(of: tuple)
        guard args.count == 2, case .node(let ownerID) = args[0], case .global(let owner) = graph.kind(of: ownerID),
            case .string(let name) = args[1], AttributeReference.isPlainName(name)
        else { return nil }
        return try pushedGlobal(PickleGlobal(module: owner.module, name: owner.name + "." + name))
    }
}
