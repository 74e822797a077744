import PickleMachine

/// A value of a data class that torch's weights-only loader refuses but that this tool decodes itself,
/// from the call's arguments and BUILD state, without calling anything (see ``DecodedDataGlobals``).
public enum DecodedData: Sendable, Equatable {
    /// `numpy.float64(31.2)` and the other scalar types.
    case numpyScalar(NumpyScalar)
    /// A `numpy.ndarray` of a numeric dtype.
    case numpyArray(NumpyArray)
    /// A dtype kept as a value (a config's `dtype: np.float32` instance).
    case numpyDType(NumpyDType)
    /// A `pathlib` path.
    case path(PathValue)

    /// The Python type, as `type(value)` names it: `numpy.float64`, `numpy.ndarray`, `pathlib.PosixPath`.
    public var typeName: String {
        switch self {
        case .numpyScalar(let scalar):
            return "numpy." + (scalar.dtype.name == "bool" && scalar.pickledByNumpy1 ? "bool_" : scalar.dtype.name)
        case .numpyArray: return "numpy.ndarray"
        case .numpyDType: return "numpy.dtype"
        case .path(let path): return path.className
        }
    }
}

/// Why a data call cannot be read; the interpreter adds the path of the value.
enum DataObjectProblem: Error {
    /// Not the form numpy or pathlib writes.
    case malformed(String)
    /// A numpy dtype that is not plain numeric data, named by its type string or what it is.
    case refusedDType(String)
    /// Something else read only in part or never (subclasses, non-string path parts).
    case refused(String)

    var description: String {
        switch self {
        case .malformed(let detail): return "malformed \(detail)"
        case .refused(let what): return "refused \(what)"
        case .refusedDType(let type): return "refused numpy dtype \(type): " + Self.reason(type)
        }
    }

    private static func reason(_ type: String) -> String {
        switch type.first {
        case "O":
            return "object arrays and scalars hold nested pickles of arbitrary objects (a known attack path), never read as data"
        case "U", "S": return "string dtypes are not read (only bool, integer, float and complex data)"
        case "V": return "structured and void dtypes are not read (only bool, integer, float and complex data)"
        case "M", "m": return "datetime dtypes are not read (only bool, integer, float and complex data)"
        default: return "only bool, int8 to int64, uint8 to uint64, float16/32/64 and complex64/128 are read"
        }
    }
}

/// The exact globals, outside torch's weights-only allow-list, that a checkpoint may call or name as data:
/// numpy's data constructors, pathlib's path classes, and the builtin types a defaultdict's factory may be.
/// Nothing module-wide: `numpy.f2py`, `numpy.testing`, `numpy.distutils`, `numpy.load` and every other numpy
/// name stay refused (and dangerous in an audit).
public enum DecodedDataGlobals {
    /// Callables decoded from their arguments and BUILD state, never called.
    public static let numpyCallables: Set<String> = [
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    ]

    /// Names that only appear as values: `_reconstruct`'s subtype argument, and defaultdict factories.
    public static let valueNames: Set<String> = [
        "numpy.ndarray", "builtins.list", "builtins.dict", "builtins.tuple", "builtins.int", "builtins.float",
        "builtins.str", "builtins.bytes", "builtins.bool", "builtins.frozenset",
    ]

    /// Whether the reader keeps a call of `global` as an inert node for ``DecodedData`` to decode.
    public static func decodesCall(of global: PickleGlobal) -> Bool {
        numpyCallables.contains(global.qualifiedName) || PathValue.classNames.contains(global.qualifiedName)
    }

    /// The audit's reason when `global`, used in `usages`, is data of this kind; nil otherwise.
    public static func dataReason(_ global: PickleGlobal, usages: Set<PickleGlobalUsage>) -> String? {
        let name = global.qualifiedName
        if decodesCall(of: global) || name == "collections.defaultdict" {
            return "a data constructor decoded as data here, never called; torch's weights-only loader refuses it"
        }
        if valueNames.contains(name) && usages.isDisjoint(with: [.reduce, .inst, .obj, .newObject, .buildTarget]) {
            return "a data type named as a value (numpy's array type, a defaultdict's factory), never called"
        }
        return nil
    }
}
