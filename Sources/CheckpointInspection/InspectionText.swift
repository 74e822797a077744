import TorchCheckpoint

/// The readable form of an inspection, for a terminal.
extension CheckpointInspection {
    public func text() -> String {
        var text: [UInt8] = []
        func add(_ lines: [String]) {
            for line in lines {
                text.append(contentsOf: line.utf8)
                text.append(UInt8(ascii: "\n"))
            }
        }
        add(headerLines())
        if !structure.isEmpty {
            let rows = structure.map { entry in
                [String(repeating: "  ", count: entry.depth - 1) + entry.path, entry.type, entry.summary]
            }
            add(["", "structure"] + Formatting.table(rows).map { "  " + $0 })
        }
        for model in pickledModels {
            let place = model.path.isEmpty ? "the root" : model.path.joined(separator: ".")
            let rows = model.modules.map { [$0.prefix.isEmpty ? "<top>" : $0.prefix, $0.className] }
            add(
                ["", "whole pickled model at \(place): \(model.modules.count) modules, kept inert (no code was run)"]
                    + Formatting.table(rows).map { "  " + $0 })
        }
        writeModules(into: &text)
        add(daconvLines())
        add(dataObjectLines)
        add(safetensorsMetadataLines)
        if format.kind != .safetensors { add(globalLines()) }
        if !warnings.isEmpty { add(["", "warnings"] + warnings.map { "  " + $0 }) }
        return String(decoding: text, as: UTF8.self)
    }

    private func headerLines() -> [String] {
        let t = totals
        let devices = devices
        return [
            "checkpoint  \(path)  (\(Formatting.bytes(Int(clamping: fileSize))))",
            "format      \(formatLine)",
            "            written by \(format.writerHint)",
            "root        \(rootType)" + (tensors.isEmpty ? "" : ", \(t.tensors) tensors")
                + (metadataModules.map { ", _metadata for \($0) modules" } ?? ""),
            "totals      \(t.tensors) tensors, \(Formatting.count(t.elements)) elements, "
                + "\(Formatting.bytes(t.tensorBytes)) of tensor data in \(storages.count) storages (\(Formatting.bytes(t.storageBytes)))",
            "devices     "
                + (devices.isEmpty ? "none" : devices.map { "\($0.device) (\($0.storages) storages)" }.joined(separator: ", ")),
        ]
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
