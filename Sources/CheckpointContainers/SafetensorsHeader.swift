/// One tensor as a safetensors header declares it: row-major, little-endian, `end - begin` bytes at
/// `begin` in the data area.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's key in the header (for torch files, a dotted state_dict name).
    public let name: String
    /// Element type.
    public let dtype: SafetensorsDType
    /// Sizes, row-major (`[]` for a 0-dim tensor).
    public let shape: [Int]
    /// `data_offsets[0]`, relative to the start of the data area.
    public let begin: UInt64
    /// `data_offsets[1]`, relative to the start of the data area.
    public let end: UInt64

    /// A tensor entry; the caller checked that the offsets fit the shape and dtype.
    public init(name: String, dtype: SafetensorsDType, shape: [Int], begin: UInt64, end: UInt64) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.begin = begin
        self.end = end
    }

    /// Bytes the tensor occupies.
    public var byteCount: UInt64 { end - begin }
}

/// One `__metadata__` entry: safetensors allows only string values.
public struct SafetensorsMetadataEntry: Sendable, Equatable {
    /// The metadata key.
    public let key: String
    /// Its string value.
    public let value: String

    /// An entry.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// The validated header of a safetensors file: `[8-byte little-endian length n][n bytes of JSON][data]`.
public struct SafetensorsHeader: Sendable, Equatable {
    /// `n`: the JSON's length in bytes, padding included.
    public let length: UInt64
    /// Tensors in the order the header lists them (the reference writes them in data order).
    public let tensors: [SafetensorsTensorInfo]
    /// `__metadata__` in header order, or nil when the header has none.
    public let metadata: [SafetensorsMetadataEntry]?

    /// A header; ``SafetensorsHeaderValidation`` builds these from untrusted bytes.
    public init(length: UInt64, tensors: [SafetensorsTensorInfo], metadata: [SafetensorsMetadataEntry]?) {
        self.length = length
        self.tensors = tensors
        self.metadata = metadata
    }

    /// File offset of the data area: right after the length field and the JSON.
    public var dataOffset: UInt64 { 8 + length }

    /// Size of the data area: where the last tensor ends.
    public var dataSize: UInt64 { tensors.map(\.end).max() ?? 0 }
}
