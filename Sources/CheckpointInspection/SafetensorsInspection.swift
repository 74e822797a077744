import CheckpointContainers
import TorchCheckpoint

/// What inspection shows of a safetensors file beyond the tensors: its header and `__metadata__`.
extension CheckpointInspection {
    /// The `format` line: header size, where the data starts, whether there is metadata.
    var safetensorsFormatLine: String? {
        guard let header = format.safetensors else { return nil }
        return "safetensors, header \(Formatting.count(Int(header.length))) bytes, data at byte \(header.dataOffset), "
            + "little-endian, "
            + (header.metadata.map { "__metadata__ with \(Formatting.plural($0.count, "entry"))" } ?? "no __metadata__")
    }

    /// `__metadata__` as a two-column table (values cut at 60 characters).
    var safetensorsMetadataLines: [String] {
        guard let metadata = format.safetensors?.metadata, !metadata.isEmpty else { return [] }
        let rows = metadata.map { entry in
            [entry.key, entry.value.count > 60 ? String(entry.value.prefix(57)) + "..." : entry.value]
        }
        return ["", "__metadata__"] + Formatting.table(rows).map { "  " + $0.withControlCharactersAsSpaces }
    }

    /// The `safetensors` member of the JSON `format` object (null for other formats).
    var safetensorsJSON: JSONValue {
        guard let header = format.safetensors else { return .null }
        return .object([
            ("header_bytes", .int(Int(header.length))),
            ("data_offset", .int(Int(header.dataOffset))),
            ("metadata", header.metadata.map { entries in .object(entries.map { ($0.key, .string($0.value)) }) } ?? .null),
            (
                "tensors",
                .array(
                    header.tensors.map { tensor in
                        .object([
                            ("name", .string(tensor.name)), ("dtype", .string(tensor.dtype.rawValue)),
                            ("shape", .array(tensor.shape.map(JSONValue.int))),
                            ("data_offsets", .array([.int(Int(tensor.begin)), .int(Int(tensor.end))])),
                        ])
                    })
            ),
        ])
    }
}

extension String {
    /// Control characters shown as spaces, so a metadata value cannot break the table into several lines.
    var withControlCharactersAsSpaces: String {
        String(unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) })
    }
}
