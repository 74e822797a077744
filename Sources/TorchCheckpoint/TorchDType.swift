/// A tensor element type, spelled as torch spells it without the `torch.` prefix.
///
/// The cases are the dtypes `torch.save` can write: the classic ones reach the file through a typed
/// `torch.<Name>Storage` class, the newer ones (unsigned 16/32/64-bit, float8, ...) through
/// `torch.storage.UntypedStorage` plus a dtype global passed to `_rebuild_tensor_v3`.
public enum TorchDType: String, CaseIterable, Sendable, Codable {
    case float64, float32, float16, bfloat16
    case int64, int32, int16, int8, uint8, bool
    case complex128, complex64, complex32
    case uint16, uint32, uint64
    // Spelled as torch spells them: the raw value is the name a checkpoint's pickle uses.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    case float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu, float4_e2m1fn_x2
    case qint8, qint32, quint8, quint4x2, quint2x4

    /// Bytes per element as stored on disk.
    public var elementSize: Int {
        switch self {
        case .float64, .int64, .complex64, .uint64: return 8
        case .float32, .int32, .uint32, .complex32, .qint32: return 4
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .complex128: return 16
        case .int8, .uint8, .bool, .qint8, .quint8, .quint4x2, .quint2x4: return 1
        case .float8_e4m3fn, .float8_e5m2, .float8_e4m3fnuz, .float8_e5m2fnuz, .float8_e8m0fnu, .float4_e2m1fn_x2: return 1
        }
    }

    /// True for the real floating-point types a convolution can be folded in.
    public var isFoldable: Bool {
        switch self {
        case .float64, .float32, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// The typed storage class torch writes for this dtype (`FloatStorage`), or nil for the dtypes that
    /// only travel as `UntypedStorage` + dtype.
    public var storageClassName: String? {
        switch self {
        case .float64: return "DoubleStorage"
        case .float32: return "FloatStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .int64: return "LongStorage"
        case .int32: return "IntStorage"
        case .int16: return "ShortStorage"
        case .int8: return "CharStorage"
        case .uint8: return "ByteStorage"
        case .bool: return "BoolStorage"
        case .complex128: return "ComplexDoubleStorage"
        case .complex64: return "ComplexFloatStorage"
        case .qint8: return "QInt8Storage"
        case .qint32: return "QInt32Storage"
        case .quint8: return "QUInt8Storage"
        case .quint4x2: return "QUInt4x2Storage"
        case .quint2x4: return "QUInt2x4Storage"
        default: return nil
        }
    }

    /// The dtype of a typed storage class name (`FloatStorage`, also `torch.cuda.FloatStorage`'s last part).
    public init?(storageClassName: String) {
        guard let match = TorchDType.allCases.first(where: { $0.storageClassName == storageClassName }) else {
            return nil
        }
        self = match
    }

    /// The dtype a `torch.<name>` global denotes, including torch's aliases (`torch.float` is float32).
    public init?(globalName: String) {
        if let direct = TorchDType(rawValue: globalName) {
            self = direct
            return
        }
        let aliases: [String: TorchDType] = [
            "double": .float64, "float": .float32, "half": .float16, "long": .int64, "int": .int32,
            "short": .int16, "cdouble": .complex128, "cfloat": .complex64, "chalf": .complex32,
        ]
        guard let alias = aliases[globalName] else { return nil }
        self = alias
    }
}
