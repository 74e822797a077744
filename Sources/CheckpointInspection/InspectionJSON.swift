import CheckpointContainers
import DAConvMerge
import TorchCheckpoint

/// The JSON form of an inspection: one object whose keys scripts rely on (`tensors`, `daconv`, ...).
extension CheckpointInspection {
    public func json() -> JSONValue {
        let t = totals
        return .object([
            ("file", .string(path)),
            ("file_size", .int(Int(clamping: fileSize))),
            ("format", formatJSON),
            ("root_type", .string(rootType)),
            (
                "structure",
                .array(
                    structure.map { entry in
                        .object(
                            [("path", .string(entry.path)), ("type", .string(entry.type))]
                                + (entry.value.map { [("value", $0)] } ?? [("summary", .string(entry.summary))]))
                    })
            ),
            ("tensors", .elements(count: tensors.count) { tensorJSON(tensors[$0]) }),
            ("storages", .elements(count: storages.count) { storageJSON(storages[$0]) }),
            ("modules", modulesJSON),
            (
                "pickled_models",
                .array(
                    pickledModels.map { model in
                        .object([
                            ("path", .string(model.path.joined(separator: "."))),
                            (
                                "modules",
                                .array(
                                    model.modules.map {
                                        .object([("prefix", .string($0.prefix)), ("class", .string($0.className))])
                                    })
                            ),
                        ])
                    })
            ),
            ("daconv", .array(daconv.modules.map(daconvJSON))),
            (
                "unfoldable",
                .array(
                    daconv.unfoldable.map {
                        .object([("module", .string($0.module)), ("reason", .string($0.reason))])
                    })
            ),
            ("data_objects", .array(dataObjects.map(\.json))),
            (
                "globals",
                .array(
                    globals.map {
                        .object([
                            ("name", .string($0.name)), ("allowed", .bool($0.allowed)), ("verdict", .string($0.risk.rawValue)),
                            ("uses", .array($0.uses.map(JSONValue.string))),
                        ])
                    })
            ),
            (
                "totals",
                .object([
                    ("tensors", .int(t.tensors)), ("elements", .int(t.elements)), ("tensor_bytes", .int(t.tensorBytes)),
                    ("storages", .int(storages.count)), ("storage_bytes", .int(t.storageBytes)),
                    ("devices", .object(devices.map { ($0.device, .int($0.storages)) })),
                ])
            ),
            ("warnings", .array(warnings.map(JSONValue.string))),
        ])
    }

    /// ``modules`` with each tensor's last dotted component, and the module's element and byte counts.
    private var modulesJSON: JSONValue {
        let groups = ModuleGroups(tensors)
        return .elements(count: groups.prefixes.count) { module in
            let members = groups.members(of: module)
            return .object([
                ("prefix", .string(groups.prefix(module))),
                ("tensors", .array(members.map { .string(groups.lastComponent($0)) })),
                ("elements", .int(members.reduce(0) { $0 + tensors[groups.tensor[$1]].tensor.elementCount })),
                ("bytes", .int(members.reduce(0) { $0 + tensors[groups.tensor[$1]].tensor.byteCount })),
            ])
        }
    }

    private var formatJSON: JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            ("kind", .string(format.kind.rawValue)),
            ("archive_prefix", optional(format.archivePrefix)),
            ("version", optional(format.version)),
            ("byteorder", optional(format.byteOrder)),
            ("format_version", optional(format.formatVersion)),
            ("storage_alignment", optional(format.storageAlignment)),
            ("serialization_id", .bool(format.hasSerializationID)),
            ("pickle_protocol", .int(format.pickleProtocol)),
            ("legacy_protocol_version", format.legacyProtocolVersion.map(JSONValue.int) ?? .null),
            ("writer", .string(format.writerHint)),
            ("safetensors", safetensorsJSON),
            (
                "records",
                .elements(count: format.records.count) { [records = format.records] index in
                    let record = records[index]
                    return .object([
                        ("name", .string(record.name)), ("size", .int(Int(clamping: record.size))),
                        ("compressed_size", .int(Int(clamping: record.compressedSize))),
                        ("compression", .string(compressionName(record.compression))),
                        ("crc32", .string(String(record.crc32, radix: 16))),
                        ("data_offset", record.dataOffset.map { .int(Int(clamping: $0)) } ?? .null),
                    ])
                }
            ),
        ])
    }

    private func compressionName(_ compression: ZipCompression) -> String {
        switch compression {
        case .stored: return "stored"
        case .deflated: return "deflated"
        case .other(let method): return "method \(method)"
        }
    }

    private func tensorJSON(_ named: NamedTensor) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(named.name)),
            ("state_dict_name", .string(named.stateDictName)),
            ("dtype", .string(named.tensor.dtype.rawValue)),
            ("shape", .array(named.tensor.shape.map(JSONValue.int))),
            ("strides", .array(named.tensor.strides.map(JSONValue.int))),
            ("storage_offset", .int(named.tensor.storageOffset)),
            ("storage_key", .string(named.storage.key)),
            ("device", .string(named.storage.location)),
            ("elements", .int(named.tensor.elementCount)),
            ("bytes", .int(named.tensor.byteCount)),
            ("contiguous", .bool(named.tensor.isContiguous)),
            ("requires_grad", .bool(named.tensor.requiresGrad)),
            ("is_parameter", .bool(named.tensor.isParameter)),
            ("rebuild", .string(named.tensor.rebuildFunction)),
        ]
        if let alias = named.aliasOf { members.append(("alias_of", .string(alias))) }
        return .object(members)
    }

    private func storageJSON(_ storage: TorchStorage) -> JSONValue {
        .object([
            ("key", .string(storage.key)), ("dtype", .string(storage.dtype.rawValue)),
            ("elements", .int(storage.elementCount)), ("bytes", .int(storage.byteCount)),
            ("device", .string(storage.location)), ("untyped", .bool(storage.isUntyped)),
        ])
    }

    private func daconvJSON(_ module: DAConvModule) -> JSONValue {
        .object([
            ("module", .string(module.module)),
            ("out_channels", .int(module.outChannels)),
            ("in_per_group", .int(module.inChannelsPerGroup)),
            ("kernel", .array([.int(module.kernel.height), .int(module.kernel.width)])),
            ("dtype", .string(module.dtype.rawValue)),
            ("has_bias", .bool(module.hasBias)),
            ("gate_shape", module.gateShape.map { .array($0.map(JSONValue.int)) } ?? .null),
            (
                "branches",
                .array(
                    module.branches.map { branch in
                        .object([
                            ("name", .string(branch.rule.name)), ("kind", .string(branch.rule.kind.rawValue)),
                            ("weight", .string(branch.weightName)), ("bias", branch.biasName.map(JSONValue.string) ?? .null),
                            ("gate", branch.gateName.map(JSONValue.string) ?? .null),
                        ])
                    })
            ),
        ])
    }
}
