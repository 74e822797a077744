/// An element type of the safetensors format, spelled as its JSON header spells it (`"F32"`, `"BF16"`).
///
/// Only the types PyTorch can hold and `safetensors.torch` maps are listed; the sub-byte types (`F4`,
/// `F6_*`) and `F8_E8M0`, which `safetensors.torch.load_file` cannot turn into tensors, are refused as
/// unknown rather than carried through a file that torch could not load.
public enum SafetensorsDType: String, CaseIterable, Sendable, Equatable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case float8E4M3FNUZ = "F8_E4M3FNUZ"
    case float8E5M2FNUZ = "F8_E5M2FNUZ"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case complex64 = "C64"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    /// Bytes per element.
    public var elementSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3, .float8E4M3FNUZ, .float8E5M2FNUZ: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .complex64, .float64, .int64, .uint64: return 8
        }
    }

    /// The position of the type in the reference implementation's dtype order (smallest alignment first).
    ///
    /// The reference writer lays tensors out by descending rank, then by name: since the data area starts
    /// on a multiple of 8 and every size is a multiple of the element size, each tensor then starts on a
    /// multiple of its own element size, which is what lets readers map the file and use it in place.
    public var layoutRank: Int {
        Self.referenceOrder.firstIndex(of: self)!
    }

    /// The reference's `Dtype` enum order, restricted to the types listed here.
    private static let referenceOrder: [SafetensorsDType] = [
        .bool, .uint8, .int8, .float8E5M2, .float8E4M3, .float8E4M3FNUZ, .float8E5M2FNUZ, .int16, .uint16,
        .float16, .bfloat16, .int32, .uint32, .float32, .complex64, .float64, .int64, .uint64,
    ]
}
