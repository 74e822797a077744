import DAConvMerge
import PickleMachine
import TorchCheckpoint

/// Everything `merge-daconv inspect` reports about a checkpoint, computed from its structure alone.
public struct CheckpointInspection: Sendable {
    public struct NamedTensor: Sendable {
        /// Dotted path from the root (through objects: their attribute names).
        public let name: String
        /// The name in the model's `state_dict()`: for whole pickled models, without `_modules`/`_parameters`.
        public let stateDictName: String
        public let tensor: TorchTensor
        public let storage: TorchStorage
        /// The first path of the same tensor when it is reached twice (tied weights).
        public let aliasOf: String?
    }

    public let path: String
    public let fileSize: UInt64
    public let format: CheckpointFormat
    public let rootType: String
    /// Entries of the top levels of the tree, for the structure overview.
    public let structure: [StructureEntry]
    public let tensors: [NamedTensor]
    public let storages: [TorchStorage]
    public let pickledModels: [PickledModel]
    public let daconv: DAConvDetector.Result
    public let globals: [GlobalVerdict]
    /// numpy values, paths, defaultdicts and inert objects: what a merge converts.
    public let dataObjects: [DataObjectEntry]
    public let warnings: [String]
    /// Number of modules the root state_dict's `_metadata` describes, when it has one.
    public let metadataModules: Int?

    /// Reads the checkpoint's structure (no tensor bytes) and describes it.
    public static func inspect(_ path: String, rules: DAConvRules = .standard) throws -> CheckpointInspection {
        let checkpoint = try CheckpointReader.open(path)
        return try CheckpointInspection(checkpoint, rules: rules)
    }

    public init(_ checkpoint: Checkpoint, rules: DAConvRules = .standard) throws {
        path = checkpoint.path
        fileSize = checkpoint.fileSize
        format = checkpoint.format
        let entries = try checkpoint.entries()
        let models = try checkpoint.pickledModels()
        pickledModels = models
        let stateNames = PickledModel.stateDictNames(models)
        var named: [NamedTensor] = []
        var firstName = PickleNodeMap<String>(nodeCount: checkpoint.graph.nodeCount)
        for index in entries.indices {
            guard let id = entries.value(at: index).nodeID, let tensor = checkpoint.tensors[id] else { continue }
            let name = entries.dottedPath(at: index)
            named.append(
                NamedTensor(
                    name: name, stateDictName: stateNames.isEmpty ? name : stateNames[id] ?? name, tensor: tensor,
                    storage: checkpoint.storage(of: tensor), aliasOf: firstName[id]))
            if !firstName.contains(id) { firstName[id] = name }
        }
        tensors = named
        storages = checkpoint.storageOrder.compactMap { checkpoint.storages[$0] }
        rootType = StructureEntry.typeName(checkpoint.root, checkpoint)
        structure = StructureEntry.overview(entries, checkpoint, skipping: models.map(\.path))
        metadataModules = checkpoint.graph.node(checkpoint.root)?.state
            .flatMap { checkpoint.graph.lookup($0, "_metadata") }
            .flatMap { checkpoint.graph.dictEntries($0)?.count }
        daconv = DAConvDetector(rules: rules).detect(in: named.map { ($0.stateDictName, $0.tensor) })
        globals = GlobalVerdict.verdicts(checkpoint.globals)
        dataObjects = try DataObjectEntry.list(checkpoint, models: models)
        warnings = CheckpointInspection.warnings(checkpoint, entries: entries, daconv: daconv)
    }

    static func warnings(_ checkpoint: Checkpoint, entries: CheckpointEntries, daconv: DAConvDetector.Result) -> [String] {
        var warnings = daconv.unfoldable.map(\.description)
        for index in entries.indices where entries.aliasOf(index) == nil {
            guard let id = entries.value(at: index).nodeID, let function = checkpoint.unsupportedTensors[id] else { continue }
            warnings.append("\(entries.dottedPath(at: index)) is a tensor kind this tool does not read (\(function))")
        }
        for index in entries.indices where entries.aliasOf(index) == nil {
            guard let id = entries.value(at: index).nodeID, let tensor = checkpoint.tensors[id] else { continue }
            let stored = checkpoint.storage(of: tensor).byteCount
            guard tensor.byteCount > stored else { continue }
            warnings.append(
                "\(entries.dottedPath(at: index)) repeats \(Formatting.count(stored)) stored bytes as "
                    + "\(Formatting.count(tensor.byteCount)) (zero or overlapping strides); such views are read only up to a limit"
            )
        }
        return warnings
    }

    /// Total parameter count (elements) and bytes of the distinct tensors.
    public var totals: (tensors: Int, elements: Int, tensorBytes: Int, storageBytes: Int) {
        let distinct = tensors.filter { $0.aliasOf == nil }
        return (
            distinct.count, distinct.reduce(0) { $0 + $1.tensor.elementCount },
            distinct.reduce(0) { $0 + $1.tensor.byteCount }, storages.reduce(0) { $0 + $1.byteCount }
        )
    }

    /// Storage count per device, in order of first appearance.
    public var devices: [(device: String, storages: Int)] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for storage in storages {
            if counts[storage.location] == nil { order.append(storage.location) }
            counts[storage.location, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }

    /// Tensors grouped by module prefix (the state-dict name without its last component), in order.
    public var modules: [(prefix: String, tensors: [NamedTensor])] {
        moduleGroups.map { group in (group.prefix, group.members.map { tensors[$0] }) }
    }

    /// ``modules`` as positions in ``tensors``: tensors of one module usually follow each other, so a prefix
    /// is looked up only when it changes.
    var moduleGroups: [(prefix: String, members: [Int])] {
        var groups: [(prefix: String, members: [Int])] = []
        var groupOf: [String: Int] = [:]
        var current = -1
        for index in tensors.indices where tensors[index].aliasOf == nil {
            let stateDictName = tensors[index].stateDictName
            let name = stateDictName.utf8
            let prefixBytes = name[..<(name.lastIndex(of: UInt8(ascii: ".")) ?? name.startIndex)]
            if current < 0 || !groups[current].prefix.utf8.elementsEqual(prefixBytes) {
                let prefix = Self.modulePrefix(of: stateDictName)
                if let known = groupOf[prefix] {
                    current = known
                } else {
                    current = groups.count
                    groupOf[prefix] = current
                    groups.append((prefix, []))
                }
            }
            groups[current].members.append(index)
        }
        return groups
    }

    /// The name without its last dotted component (empty without a dot).
    static func modulePrefix(of name: String) -> String {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else { return "" }
        return String(name[..<dot])
    }

    /// The last dotted component of a name (all of it without a dot).
    static func leafName(of name: String) -> String {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else { return name }
        return String(name[name.utf8.index(after: dot)...])
    }
}
