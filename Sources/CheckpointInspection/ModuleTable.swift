import TorchCheckpoint

/// The `modules` section of the text report: one row per distinct tensor, written cell by cell into the
/// report's bytes (a checkpoint of tens of thousands of tensors makes no String per cell).
extension CheckpointInspection {
    static let moduleColumns = ["module", "tensor", "dtype", "shape", "elements", "bytes", "storage"]

    /// The section's lines, each followed by a newline, appended to `text`.
    func writeModules(into text: inout [UInt8]) {
        guard !tensors.isEmpty else { return }
        let groups = ModuleGroups(tensors)
        var slots = 0
        for index in tensors.indices { slots = max(slots, tensors[index].storageSlot + 1) }
        var sharers = [Int](repeating: 0, count: slots)
        for index in tensors.indices where tensors[index].aliasOf == nil { sharers[tensors[index].storageSlot] += 1 }
        var table = TableColumns(
            columns: Self.moduleColumns.count, rowCapacity: groups.tensor.count + 1, byteCapacity: groups.tensor.count * 48)
        for header in Self.moduleColumns {
            table.add(header)
            table.endCell()
        }
        var dtype: TorchDType?
        var dtypeName: [UInt8] = []
        for module in groups.prefixes.indices {
            let members = groups.members(of: module)
            for member in members {
                let position = groups.tensor[member]
                if member == members.lowerBound {
                    let prefix = groups.prefixes[module]
                    if prefix.isEmpty { table.add("<root>") } else { table.add(bytes: groups.names[prefix]) }
                }
                table.endCell()
                table.add(bytes: groups.names[groups.leaf[member]])
                table.endCell()
                // Tensors in a row usually share a dtype, whose name is then spelled once.
                if tensors[position].tensor.dtype != dtype {
                    dtype = tensors[position].tensor.dtype
                    dtypeName = Array(tensors[position].tensor.dtype.rawValue.utf8)
                }
                table.add(bytes: dtypeName[...])
                table.endCell()
                table.addShape(tensors[position].tensor.shape)
                table.endCell()
                table.addCount(tensors[position].tensor.elementCount)
                table.endCell()
                table.addCount(tensors[position].tensor.byteCount)
                table.endCell()
                addStorageNote(position, sharers: sharers[tensors[position].storageSlot], to: &table)
                table.endCell()
            }
        }
        text.append(contentsOf: "\nmodules (tensors by dotted prefix)\n".utf8)
        table.write(into: &text, rightAligned: [4, 5], indent: "  ")
        text.append(UInt8(ascii: "\n"))
        for index in tensors.indices {
            guard let first = tensors[index].aliasOf else { continue }
            text.append(contentsOf: "  \(tensors[index].stateDictName) is the same tensor as \(first)\n".utf8)
        }
    }

    private func addStorageNote(_ position: Int, sharers: Int, to table: inout TableColumns) {
        table.add(tensors[position].storage.key)
        if tensors[position].storage.location != "cpu" {
            table.add(" @")
            table.add(tensors[position].storage.location)
        }
        if !tensors[position].tensor.isContiguous { table.add(" strided") }
        if tensors[position].tensor.storageOffset != 0 {
            table.add(" +")
            table.addDecimal(tensors[position].tensor.storageOffset)
        }
        if sharers > 1 {
            table.add(" shared by ")
            table.addDecimal(sharers)
        }
    }
}
