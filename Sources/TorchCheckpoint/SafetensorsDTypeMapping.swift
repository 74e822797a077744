import CheckpointContainers

/// How torch dtypes and safetensors dtypes correspond, as `safetensors.torch` maps them.
extension TorchDType {
    /// The torch dtype a safetensors dtype loads as.
    public init(safetensors dtype: SafetensorsDType) {
        switch dtype {
        case .bool: self = .bool
        case .uint8: self = .uint8
        case .int8: self = .int8
        case .float8E5M2: self = .float8_e5m2
        case .float8E4M3: self = .float8_e4m3fn
        case .float8E4M3FNUZ: self = .float8_e4m3fnuz
        case .float8E5M2FNUZ: self = .float8_e5m2fnuz
        case .int16: self = .int16
        case .uint16: self = .uint16
        case .float16: self = .float16
        case .bfloat16: self = .bfloat16
        case .int32: self = .int32
        case .uint32: self = .uint32
        case .float32: self = .float32
        case .complex64: self = .complex64
        case .float64: self = .float64
        case .int64: self = .int64
        case .uint64: self = .uint64
        }
    }

    /// The safetensors dtype of this torch dtype, or nil for the ones safetensors cannot hold (complex128,
    /// complex32, float8_e8m0fnu, float4, quantized types).
    public var safetensorsDType: SafetensorsDType? {
        SafetensorsDType.allCases.first { TorchDType(safetensors: $0) == self }
    }
}
