/// Short names of value kinds for error messages ("list", "OrderedDict", "object torch.nn.Conv2d").
enum PickleValueKind {
    static func describe(_ value: PickleValue, in graph: PickleGraph) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .node(let id):
            guard graph.contains(id) else { return "node \(id.index)" }
            return describe(graph.kind(of: id))
        }
    }

    static func describe(_ kind: PickleNode.Kind) -> String {
        switch kind {
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict(ordered: false): return "dict"
        case .dict(ordered: true): return "OrderedDict"
        case .set(frozen: false): return "set"
        case .set(frozen: true): return "frozenset"
        case .global(let global): return "global \(global)"
        case .call(let global): return "call of \(global)"
        case .object(let global, _): return "object \(global)"
        case .persistentID: return "persistent id"
        }
    }
}
