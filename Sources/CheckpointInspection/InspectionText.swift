import TorchCheckpoint

/// The readable form of an inspection, for a terminal.
extension CheckpointInspection {
    public func text() -> String {
        var lines: [String] = []
        let t = totals
        lines.append("checkpoint  \(path)  (\(Formatting.bytes(Int(clamping: fileSize))))")
        lines.append("format      \(formatLine)")
        lines.append("            written by \(format.writerHint)")
        lines.append(
            "root        \(rootType)" + (tensors.isEmpty ? "" : ", \(t.tensors) tensors")
                + (metadataModules.map { ", _metadata for \($0) modules" } ?? ""))
        lines.append(
            "totals      \(t.tensors) tensors, \(Formatting.count(t.elements)) elements, "
                + "\(Formatting.bytes(t.tensorBytes)) of tensor data in \(storages.count) storages (\(Formatting.bytes(t.storageBytes)))"
        )
        lines.append(
            "devices     "
                + (devices.isEmpty ? "none" : devices.map { "\($0.device) (\($0.storages) storages)" }.joined(separator: ", ")))
        if !structure.isEmpty {
            lines += ["", "structure"]
            let rows = structure.map { entry in
                [String(repeating: "  ", count: entry.depth - 1) + entry.path, entry.type, entry.summary]
            }
            lines += Formatting.table(rows).map { "  " + $0 }
        }
        for model in pickledModels {
            lines.append("")
            let place = model.path.isEmpty ? "the root" : model.path.joined(separator: ".")
            lines.append("whole pickled model at \(place): \(model.modules.count) modules, kept inert (no code was run)")
            let rows = model.modules.map { [$0.prefix.isEmpty ? "<top>" : $0.prefix, $0.className] }
            lines += Formatting.table(rows).map { "  " + $0 }
        }
        lines += moduleLines()
        lines += daconvLines()
        lines += dataObjectLines
        lines += safetensorsMetadataLines
        if format.kind != .safetensors { lines += globalLines() }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("warnings")
            lines += warnings.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var formatLine: String {
        if let line = safetensorsFormatLine { return line }
        var parts: [String] = [format.kind.rawValue]
        if let prefix = format.archivePrefix { parts.append("archive folder '\(prefix)'") }
        if let version = format.version { parts.append("version \(version)") }
        if let protocolVersion = format.legacyProtocolVersion { parts.append("legacy protocol \(protocolVersion)") }
        parts.append("byteorder \(format.byteOrder ?? (format.isBigEndian ? "big" : "little (implied)"))")
        parts.append("pickle protocol \(format.pickleProtocol)")
        if let formatVersion = format.formatVersion { parts.append(".format_version \(formatVersion)") }
        if let alignment = format.storageAlignment { parts.append(".storage_alignment \(alignment)") }
        return parts.joined(separator: ", ")
    }

    private func moduleLines() -> [String] {
        guard !tensors.isEmpty else { return [] }
        var rows: [[String]] = [["module", "tensor", "dtype", "shape", "elements", "bytes", "storage"]]
        rows.reserveCapacity(tensors.count + 1)
        var sharers: [String: Int] = [:]
        for index in tensors.indices where tensors[index].aliasOf == nil { sharers[tensors[index].storage.key, default: 0] += 1 }
        for (prefix, members) in moduleGroups {
            for (i, index) in members.enumerated() {
                let tensor = tensors[index].tensor
                let key = tensors[index].storage.key
                rows.append([
                    i == 0 ? (prefix.isEmpty ? "<root>" : prefix) : "", Self.leafName(of: tensors[index].stateDictName),
                    tensor.dtype.rawValue, Formatting.shape(tensor.shape), Formatting.count(tensor.elementCount),
                    Formatting.count(tensor.byteCount), storageNote(tensors[index], sharers: sharers[key] ?? 1),
                ])
            }
        }
        // One block of text for the whole table (its lines joined), which the report joins like any line.
        var lines = ["", "modules (tensors by dotted prefix)", Formatting.tableText(rows, rightAligned: [4, 5], indent: "  ")]
        for alias in tensors where alias.aliasOf != nil {
            lines.append("  \(alias.stateDictName) is the same tensor as \(alias.aliasOf!)")
        }
        return lines
    }

    private func storageNote(_ named: NamedTensor, sharers: Int) -> String {
        var note = named.storage.key
        if named.storage.location != "cpu" { note += " @\(named.storage.location)" }
        if !named.tensor.isContiguous { note += " strided" }
        if named.tensor.storageOffset != 0 { note += " +\(named.tensor.storageOffset)" }
        if sharers > 1 { note += " shared by \(sharers)" }
        return note
    }

    private func daconvLines() -> [String] {
        var lines = ["", "DAConv modules: \(daconv.modules.count)"]
        guard !daconv.modules.isEmpty else { return lines }
        var rows: [[String]] = [["module", "out", "in/groups", "kernel", "dtype", "bias", "gates"]]
        for module in daconv.modules {
            rows.append([
                module.module, String(module.outChannels), String(module.inChannelsPerGroup),
                "\(module.kernel.height)x\(module.kernel.width)", module.dtype.rawValue, module.hasBias ? "yes" : "no",
                module.gateShape.map { Formatting.shape($0) } ?? "none",
            ])
        }
        lines += Formatting.table(rows, rightAligned: [1, 2]).map { "  " + $0 }
        return lines
    }

    private func globalLines() -> [String] {
        let rows = globals.map { verdict in
            [
                verdict.name, verdict.risk.rawValue,
                verdict.uses.map { GlobalVerdict.readableUse[$0] ?? $0 }.joined(separator: ", "),
            ]
        }
        return ["", "globals referenced by the pickle: \(globals.count)"] + Formatting.table(rows).map { "  " + $0 }
    }
}
