import PickleMachine

/// One entry a merge writes in another form than it was read, so that `torch.load(weights_only=True)` loads it:
/// what it was and what it became, listed in the report.
public struct ConvertedEntry: Sendable {
    /// Dotted path from the root (the first path, when the value is shared).
    public let path: String
    /// What was read: `numpy.float64`, `numpy.ndarray float32 [3]`, `argparse.Namespace`, ...
    public let from: String
    /// What is written: `float 31.25`, `tensor float32 [3]`, `dict of 4 entries`, ...
    public let to: String
    /// The node converted.
    public let node: PickleNodeID
    /// The weights-only form.
    public let target: WeightsOnlyTarget
    /// The value is a dict key (named `<key 7>` in ``path``): what it keys is found under its converted name.
    public var isKey = false
}

/// The form a converted entry takes.
public enum WeightsOnlyTarget: Sendable {
    /// A Python scalar in place of the node: numpy scalars' values, paths, dtypes and classes as strings.
    case scalar(PickleValue)
    /// `builtins.complex(real, imaginary)`, on torch's allow-list.
    case complex(Double, Double)
    /// A tensor of the array's dtype, shape and elements (Fortran order kept as column-major strides).
    case tensor(NumpyArray)
    /// An object's content as a plain container (see ``ObjectContent``).
    case container(ObjectContent)
    /// A frozenset as a set (torch's allow-list has `set`, not `frozenset`).
    case set
    /// The node is a dict already (a defaultdict); only its type changes.
    case unchanged
}

/// Decides the weights-only form of everything outside torch's allow-list that a merge passes through:
///
/// - numpy scalars become Python bool, int, float or complex; numpy arrays tensors of the same dtype and shape;
///   numpy dtypes their name (`float32`); `pathlib` paths the string `str(path)` gives;
/// - objects read inert (NEWOBJ or copyreg's `_reconstructor`: `argparse.Namespace`, OmegaConf containers,
///   mmengine's `HistoryBuffer`, ...) a dict of their attributes (their BUILD state, then entries SETITEMed into
///   them, with `__items__` for appended items and `__args__` for constructor arguments when there are both); a
///   list or tuple when they hold only items or only arguments;
/// - `collections.defaultdict` a dict, `frozenset` a set, a class or function named as a value its
///   qualified name (`torch.nn.modules.activation.ReLU`).
///
/// Dangerous globals are never converted: a merge refuses them before it gets here.
public enum WeightsOnlyConversion {
    /// The conversions below `root`, in tree order; `leaves` (tensors, whole pickled models) are not entered.
    /// Paths are spelled only for what converts: the walk keeps each expanded node's parent and component.
    public static func plan(
        graph: PickleGraph, root: PickleValue, decoded: PickleNodeMap<DecodedData>,
        defaultDicts: [PickleNodeID: String], leaves: PickleNodeSet, maxDepth: Int
    ) throws -> [ConvertedEntry] {
        guard anyNodeMayConvert(graph: graph, decoded: decoded, defaultDicts: defaultDicts) else { return [] }
        var walkerLeaves = leaves
        for id in decoded.keys { walkerLeaves.insert(id) }
        var walker = CheckpointPathWalker(graph: graph, leaves: walkerLeaves, maxDepth: maxDepth)
        walker.decoded = decoded
        var result: [ConvertedEntry] = []
        var seen = PickleNodeSet(nodeCount: graph.nodeCount)
        var keyPaths = Set<[String]>()
        var expanded = ExpandedNodes()
        var stack: [(parent: Int32, component: String, value: PickleValue, depth: Int)] = [(-1, "", root, 0)]
        while let (parent, component, value, depth) = stack.popLast() {
            guard let id = value.nodeID, seen.insert(id) else { continue }
            guard depth <= maxDepth else {
                throw CheckpointError.Reason.limitExceeded(what: "nesting depth of the value tree", limit: maxDepth)
            }
            let record = expanded.add(parent: parent, component: component)
            if !leaves.contains(id), mayConvert(id, graph: graph, decoded: decoded, defaultDicts: defaultDicts) {
                let path = expanded.path(of: record)
                let dotted = path.isEmpty ? "<root>" : path.joined(separator: ".")
                if var conversion = convert(id, path: dotted, graph: graph, decoded: decoded, defaultDicts: defaultDicts) {
                    conversion.isKey = keyPaths.contains(path)
                    result.append(conversion)
                }
            }
            guard !walker.leaves.contains(id) else { continue }
            var children = walker.children(of: id)
            if case .object = graph[id].kind, let args = graph.sequence(graph[id].args) {
                children += args.enumerated().map { ("__args__.\($0.offset)", $0.element) }
            }
            // Keys that are nodes (a numpy scalar as a dict key) are converted too, named `<key 7>`.
            for entry in graph[id].entries where entry.key.nodeID != nil {
                let name = "<key \(walker.keyComponent(entry.key))>"
                keyPaths.insert(expanded.path(of: record) + [name])
                children.append((name, entry.key))
            }
            for (component, child) in children.reversed() { stack.append((record, component, child, depth + 1)) }
        }
        return result
    }

    /// The nodes a walk expanded, each with its parent and path component, so a path is spelled on demand.
    private struct ExpandedNodes {
        private var parents: [Int32] = []
        private var components: [String] = []

        mutating func add(parent: Int32, component: String) -> Int32 {
            parents.append(parent)
            components.append(component)
            return Int32(parents.count - 1)
        }

        /// The path of `record` from the root (whose own component is not part of it).
        func path(of record: Int32) -> [String] {
            var result: [String] = []
            var current = record
            while parents[Int(current)] >= 0 {
                result.append(components[Int(current)])
                current = parents[Int(current)]
            }
            return result.reversed()
        }
    }

    /// Whether ``convert(_:path:graph:decoded:defaultDicts:)`` can give anything for node `id` (it gives nil for
    /// every other node), so the walk spells paths only for these.
    /// Whether any node of the graph, reachable or not, could convert. Most checkpoints hold none, and a scan
    /// of the node kinds costs far less than the walk of the whole tree that spells every path.
    private static func anyNodeMayConvert(
        graph: PickleGraph, decoded: PickleNodeMap<DecodedData>, defaultDicts: [PickleNodeID: String]
    ) -> Bool {
        if !decoded.isEmpty || !defaultDicts.isEmpty { return true }
        var refusedGlobals = [Bool?](repeating: nil, count: graph.globalCount)
        for index in 0..<graph.nodeCount {
            let id = PickleNodeID(index: index)
            if graph.isObject(id) || graph.isFrozenSet(id) { return true }
            guard graph.isGlobal(id), let number = graph.globalNumber(of: id), let global = graph.global(of: id) else {
                continue
            }
            if refusedGlobals[number] == nil { refusedGlobals[number] = !TorchAllowList.allows(global) }
            if refusedGlobals[number] == true { return true }
        }
        return false
    }

    private static func mayConvert(
        _ id: PickleNodeID, graph: PickleGraph, decoded: PickleNodeMap<DecodedData>, defaultDicts: [PickleNodeID: String]
    ) -> Bool {
        if decoded.contains(id) || defaultDicts[id] != nil { return true }
        switch graph[id].kind {
        case .set(frozen: true), .object: return true
        case .global(let global): return !TorchAllowList.allows(global)
        default: return false
        }
    }

    /// Writes each conversion into the draft: containers replaced in place, scalars and tensors substituted
    /// wherever the node was referenced (either way shared values stay shared).
    public static func apply(_ conversions: [ConvertedEntry], to draft: inout CheckpointDraft) {
        var substitutions: [PickleNodeID: PickleValue] = [:]
        for conversion in conversions {
            switch conversion.target {
            case .scalar(let value): substitutions[conversion.node] = value
            case .complex(let real, let imaginary):
                let args = draft.graph.add(PickleNode(kind: .tuple, items: [.float(real), .float(imaginary)]))
                draft.graph[conversion.node] = PickleNode(
                    kind: .call(PickleGlobal(module: "builtins", name: "complex")), args: args)
            case .tensor(let array):
                // A new node, referred to instead of the array: a rebuild call must come after its storage's
                // persistent id in the graph, as in any pickle (readers interpret nodes in that order).
                substitutions[conversion.node] = draft.addInlineTensor(
                    dtype: array.dtype.torchDType, shape: array.shape, strides: array.strides, bytes: array.bytes)
            case .container(let content):
                let node = content.node(adding: &draft.graph)
                draft.graph[conversion.node] = node
            case .set: draft.graph[conversion.node].kind = .set(frozen: false)
            case .unchanged: continue
            }
        }
        guard !substitutions.isEmpty else { return }
        func substitute(_ value: PickleValue) -> PickleValue {
            guard let id = value.nodeID, let replacement = substitutions[id] else { return value }
            return replacement
        }
        draft.root = substitute(draft.root)
        for id in draft.graph.nodeIDs {
            let node = draft.graph[id]
            var changed = node
            changed.items = node.items.map(substitute)
            changed.entries = node.entries.map { PickleDictEntry(key: substitute($0.key), value: substitute($0.value)) }
            changed.args = substitute(node.args)
            changed.state = node.state.map(substitute)
            if changed.items != node.items || changed.entries.map(\.key) != node.entries.map(\.key)
                || changed.entries.map(\.value) != node.entries.map(\.value) || changed.args != node.args
                || changed.state != node.state
            {
                draft.graph[id] = changed
            }
        }
    }

    /// For an output written as read (`--keep-objects`): each defaultdict, which the reader keeps as a plain dict,
    /// becomes `collections.defaultdict(factory)` again, its entries set after it as pickle sets them.
    public static func restoreDefaultDicts(_ factories: [PickleNodeID: String], in draft: inout CheckpointDraft) {
        for (id, factory) in factories {
            guard case .dict(ordered: false) = draft.graph[id].kind else { continue }
            var argument = PickleValue.none
            if let dot = factory.lastIndex(of: ".") {
                let global = PickleGlobal(module: String(factory[..<dot]), name: String(factory[factory.index(after: dot)...]))
                argument = draft.graph.add(PickleNode(kind: .global(global)))
            }
            let args = draft.graph.add(PickleNode(kind: .tuple, items: [argument]))
            draft.graph[id].kind = .call(PickleGlobal(module: "collections", name: "defaultdict"))
            draft.graph[id].args = args
        }
    }

    private static func convert(
        _ id: PickleNodeID, path: String, graph: PickleGraph, decoded: PickleNodeMap<DecodedData>,
        defaultDicts: [PickleNodeID: String]
    ) -> ConvertedEntry? {
        func entry(_ from: String, _ to: String, _ target: WeightsOnlyTarget) -> ConvertedEntry {
            ConvertedEntry(path: path, from: from, to: to, node: id, target: target)
        }
        if let data = decoded[id] { return convert(data, entry: entry) }
        if let factory = defaultDicts[id] { return entry("collections.defaultdict (factory \(factory))", "dict", .unchanged) }
        let node = graph[id]
        switch node.kind {
        case .set(frozen: true):
            return entry("frozenset", "set", .set)
        case .global(let global) where !TorchAllowList.allows(global):
            return entry(
                "global \(global.qualifiedName)", "str '\(global.qualifiedName)'", .scalar(.string(global.qualifiedName)))
        case .object(let global, let construction):
            let content = ObjectContent(node, construction, in: graph)
            return entry(global.qualifiedName, content.description, .container(content))
        default:
            return nil
        }
    }

    private static func convert(_ data: DecodedData, entry: (String, String, WeightsOnlyTarget) -> ConvertedEntry)
        -> ConvertedEntry
    {
        switch data {
        case .numpyScalar(let scalar):
            guard let value = scalar.value else {
                return entry(
                    data.typeName, "complex (\(scalar.real), \(scalar.imaginary))", .complex(scalar.real, scalar.imaginary))
            }
            return entry(data.typeName, PythonScalarText.typed(value), .scalar(value))
        case .numpyArray(let array):
            let shape = "[" + array.shape.map(String.init).joined(separator: ", ") + "]"
            return entry(
                "numpy.ndarray \(array.dtype.text) \(shape)", "tensor \(array.dtype.torchDType.rawValue) \(shape)", .tensor(array)
            )
        case .numpyDType(let dtype):
            return entry("numpy.dtype \(dtype.text)", "str '\(dtype.text)'", .scalar(.string(dtype.text)))
        case .path(let path):
            return entry(path.className, "str '\(path.text)'", .scalar(.string(path.text)))
        }
    }
}

/// How scalars read in reports: `float 31.25`, `int 3`, `bool True`.
enum PythonScalarText {
    static func typed(_ value: PickleValue) -> String {
        switch value {
        case .bool(let flag): return "bool " + (flag ? "True" : "False")
        case .int(let number): return "int \(number)"
        case .bigInt(let number): return "int \(number)"
        case .float(let number): return "float " + PythonRepr.float(number)
        default: return "value"
        }
    }
}
