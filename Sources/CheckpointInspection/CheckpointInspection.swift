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
        /// Its storage's position in ``CheckpointInspection/storages`` (past their end for a storage not listed
        /// there), so tensors sharing a storage are counted without comparing keys.
        let storageSlot: Int
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
        var finder = StorageFinder(checkpoint)
        var named: [NamedTensor] = []
        // Reserved, not grown: a doubling array of tens of thousands of these is the inspection's peak memory.
        named.reserveCapacity(checkpoint.tensors.count)
        var repeatedBytes: [String] = []
        /// Each tensor entry's position in `named`: a second path to a tensor names the first one's.
        var namedOf = [Int32](repeating: -1, count: entries.count)
        let keyNames = DAConvKeyNames(rules)
        var detectable: [(name: String, tensor: TorchTensor)] = []
        for index in entries.indices {
            guard let id = entries.value(at: index).nodeID, let tensor = checkpoint.tensors[id] else { continue }
            let name = entries.dottedPath(at: index)
            let (storage, slot) = finder.storage(of: tensor)
            let first = entries.aliasOf(index)
            if first == nil, tensor.byteCount > storage.byteCount {
                repeatedBytes.append(Self.repeatedBytesWarning(name, tensor: tensor, stored: storage.byteCount))
            }
            let stateDictName = stateNames.isEmpty ? name : stateNames[id] ?? name
            if keyNames.mayBeKey(stateDictName) { detectable.append((stateDictName, tensor)) }
            // The tensor and storage are used last here, so they move into the entry instead of being copied.
            named.append(
                NamedTensor(
                    name: name, stateDictName: stateDictName, tensor: tensor, storage: storage,
                    aliasOf: first.flatMap { namedOf[$0] < 0 ? nil : named[Int(namedOf[$0])].name }, storageSlot: slot))
            namedOf[index] = Int32(named.count - 1)
        }
        tensors = named
        storages = finder.storages
        rootType = StructureEntry.typeName(checkpoint.root, checkpoint)
        structure = StructureEntry.overview(entries, checkpoint, skipping: models.map(\.path))
        // Read in place: copying the root's node out would copy every entry of a large state_dict.
        metadataModules = checkpoint.graph.nodeID(of: checkpoint.root).flatMap { checkpoint.graph.state(of: $0) }
            .flatMap { checkpoint.graph.lookup($0, "_metadata") }
            .flatMap { checkpoint.graph.dictEntriesView($0)?.count }
        daconv = DAConvDetector(rules: rules).detect(in: detectable)
        globals = GlobalVerdict.verdicts(checkpoint.globals)
        dataObjects = try DataObjectEntry.list(checkpoint, models: models)
        warnings =
            daconv.unfoldable.map(\.description) + Self.unreadableTensorWarnings(checkpoint, entries: entries)
            + repeatedBytes
    }

    static func unreadableTensorWarnings(_ checkpoint: Checkpoint, entries: CheckpointEntries) -> [String] {
        guard !checkpoint.unsupportedTensors.isEmpty else { return [] }
        var warnings: [String] = []
        for index in entries.indices where entries.aliasOf(index) == nil {
            guard let id = entries.value(at: index).nodeID, let function = checkpoint.unsupportedTensors[id] else { continue }
            warnings.append("\(entries.dottedPath(at: index)) is a tensor kind this tool does not read (\(function))")
        }
        return warnings
    }

    static func repeatedBytesWarning(_ name: String, tensor: TorchTensor, stored: Int) -> String {
        "\(name) repeats \(Formatting.count(stored)) stored bytes as "
            + "\(Formatting.count(tensor.byteCount)) (zero or overlapping strides); such views are read only up to a limit"
    }

    /// Total parameter count (elements) and bytes of the distinct tensors.
    public var totals: (tensors: Int, elements: Int, tensorBytes: Int, storageBytes: Int) {
        var totals = (tensors: 0, elements: 0, tensorBytes: 0, storageBytes: 0)
        for named in tensors where named.aliasOf == nil {
            totals.tensors += 1
            totals.elements += named.tensor.elementCount
            totals.tensorBytes += named.tensor.byteCount
        }
        for storage in storages { totals.storageBytes += storage.byteCount }
        return totals
    }

    /// Storage count per device, in order of first appearance (storages in a row usually share a device,
    /// which is then looked up once).
    public var devices: [(device: String, storages: Int)] {
        var devices: [(device: String, storages: Int)] = []
        var position: [String: Int] = [:]
        var current = -1
        for storage in storages {
            if current < 0 || devices[current].device != storage.location {
                current = position[storage.location] ?? devices.count
                if current == devices.count {
                    position[storage.location] = current
                    devices.append((storage.location, 0))
                }
            }
            devices[current].storages += 1
        }
        return devices
    }

    /// Tensors grouped by module prefix (the state-dict name without its last component), in order.
    public var modules: [(prefix: String, tensors: [NamedTensor])] {
        let groups = ModuleGroups(tensors)
        return groups.prefixes.indices.map { module in
            (groups.prefix(module), groups.members(of: module).map { tensors[groups.tensor[$0]] })
        }
    }
}
