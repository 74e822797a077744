import CheckpointContainers

/// The container facts of a checkpoint, for reports and for deciding how to write it back.
public struct CheckpointFormat: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The zip archive `torch.save` writes since torch 1.6.
        case zip
        /// The concatenated pickles of torch < 1.6 (`_use_new_zipfile_serialization=False`).
        case legacy
        /// A safetensors file (`[u64 header length][JSON header][data]`), read as a flat state dict.
        case safetensors
    }

    public var kind: Kind
    /// Zip: the folder every record sits in (it varies with the file name and torch version).
    public var archivePrefix: String?
    /// Zip: all records in central-directory order.
    public var records: [ZipRecord] = []
    /// Zip: the `version` record (torch writes 3).
    public var version: String?
    /// `little` or `big`; nil when the file has no `byteorder` record (torch < 2.1 writes none: little).
    public var byteOrder: String?
    /// Zip: `.format_version` (torch >= 2.7), a promise that the layout is exactly torch's.
    public var formatVersion: String?
    /// Zip: `.storage_alignment` (torch >= 2.7).
    public var storageAlignment: String?
    /// Zip: whether `.data/serialization_id` is present (torch >= 2.1).
    public var hasSerializationID = false
    /// Protocol given by the object pickle's PROTO opcode (0 if none).
    public var pickleProtocol = 0
    /// Legacy: the protocol version pickled after the magic number (torch writes 1001).
    public var legacyProtocolVersion: Int?
    /// Legacy: whether `sys_info` says the writer was little-endian.
    public var legacyLittleEndian: Bool?

    public init(kind: Kind) {
        self.kind = kind
    }

    /// Safetensors: the validated header (tensor entries, `__metadata__`, where the data starts).
    public var safetensors: SafetensorsHeader?

    /// Whether tensor bytes must be swapped to be read on this (little-endian) machine.
    public var isBigEndian: Bool {
        byteOrder == "big" || legacyLittleEndian == false
    }

    /// The torch releases that write files like this one, from the records present: the files carry no
    /// version string, so this is the most a reader can say.
    public var writerHint: String {
        switch kind {
        case .legacy: return "torch < 1.6, or later with _use_new_zipfile_serialization=False"
        case .safetensors: return "a safetensors writer (safetensors.torch.save_file, transformers, ...; the format records none)"
        case .zip:
            if formatVersion != nil { return "torch >= 2.7 (.format_version present)" }
            if hasSerializationID { return "torch 2.1 to 2.6 (.data/serialization_id, no .format_version)" }
            if byteOrder != nil { return "torch 2.1 or later" }
            return "torch 1.6 to 2.0 (no byteorder record)"
        }
    }
}
