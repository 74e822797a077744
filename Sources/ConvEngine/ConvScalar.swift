/// The arithmetic precision a scalar type is convolved in.
public enum ConvPrecision: String, Sendable, Equatable {
    /// IEEE binary32 (`Float`), accumulated in binary32 as torch does on CPU.
    case float32
    /// IEEE binary64 (`Double`), the precision of the reference computations.
    case float64
}

/// A scalar type the convolution engine has vectorised kernels for: `Double` and `Float`.
///
/// Half-precision weights (float16, bfloat16) are computed in `Float`, as torch does on CPU;
/// convert them first. Conforming other types is not supported: the engine traps if a type
/// claims a precision whose layout it does not have.
public protocol ConvScalar: BinaryFloatingPoint, Sendable {
    /// Which kernels compute with this type.
    static var convPrecision: ConvPrecision { get }
}

extension Double: ConvScalar {
    /// `Double` is convolved in binary64.
    public static var convPrecision: ConvPrecision { .float64 }
}

extension Float: ConvScalar {
    /// `Float` is convolved in binary32.
    public static var convPrecision: ConvPrecision { .float32 }
}
