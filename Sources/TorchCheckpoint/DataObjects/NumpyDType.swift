import PickleMachine

/// A numpy dtype as numpy pickles it: `numpy.dtype(typestr, False, True)` through REDUCE, then BUILD with
/// `(version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])`.
///
/// Only the plain numeric dtypes are data here (bool, signed and unsigned integers, float16/32/64, complex64/128,
/// either byte order): object dtypes carry nested pickles, and structured, string, datetime and extended-precision
/// dtypes have no tensor counterpart; each is refused by name.
public struct NumpyDType: Sendable, Equatable {
    /// numpy's kind letter: `b` bool, `i` signed, `u` unsigned, `f` float, `c` complex.
    public let kind: Character
    /// Bytes per element.
    public let itemSize: Int
    /// Whether the elements are stored big-endian (numpy's `>`).
    public let isBigEndian: Bool

    /// numpy's name of the type, `float64`, `int8`, `bool`, `complex128`.
    public var name: String {
        switch kind {
        case "b": return "bool"
        case "i": return "int\(itemSize * 8)"
        case "u": return "uint\(itemSize * 8)"
        case "f": return "float\(itemSize * 8)"
        default: return "complex\(itemSize * 8)"
        }
    }

    /// `str(dtype)` on a little-endian machine: the name, or the type string with `>` when big-endian.
    public var text: String {
        isBigEndian && itemSize > 1 ? ">\(kind)\(itemSize)" : name
    }

    /// The torch dtype holding the same values.
    public var torchDType: TorchDType {
        switch (kind, itemSize) {
        case ("b", _): return .bool
        case ("i", 1): return .int8
        case ("i", 2): return .int16
        case ("i", 4): return .int32
        case ("i", 8): return .int64
        case ("u", 1): return .uint8
        case ("u", 2): return .uint16
        case ("u", 4): return .uint32
        case ("u", 8): return .uint64
        case ("f", 2): return .float16
        case ("f", 4): return .float32
        case ("f", 8): return .float64
        case ("c", 8): return .complex64
        default: return .complex128
        }
    }

    /// The (kind, size) pairs read as data.
    static let dataTypes: Set<String> = ["b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]

    /// The dtype a `numpy.dtype` call node builds, or a refusal naming what it is.
    static func read(_ node: PickleNode, in graph: PickleGraph) throws -> NumpyDType {
        let args = graph.sequence(node.args) ?? []
        guard (1...3).contains(args.count), let typeString = args[0].stringValue ?? args[0].bytesText else {
            throw DataObjectProblem.malformed("numpy.dtype's arguments are (type string, align, copy)")
        }
        guard let kind = typeString.first, let size = Int(typeString.dropFirst()) else {
            throw DataObjectProblem.malformed("numpy.dtype type string '\(typeString.prefix(16))' is not a kind and a size")
        }
        guard dataTypes.contains(typeString) else { throw DataObjectProblem.refusedDType(typeString) }
        let order = try byteOrder(node.state, in: graph)
        guard order != "|" || size == 1 else {
            throw DataObjectProblem.malformed("numpy.dtype \(typeString) has byte order '|', which only 1-byte types have")
        }
        return NumpyDType(kind: kind, itemSize: size, isBigEndian: order == ">" && size > 1)
    }

    /// The byte order of the BUILD state, after checking that the state describes a plain dtype (no subarray,
    /// fields, metadata or object flags); `=` (native) is read as little-endian, the byte order this tool writes.
    private static func byteOrder(_ state: PickleValue?, in graph: PickleGraph) throws -> String {
        guard let state else { return "=" }
        guard let items = graph.sequence(state), items.count == 8 || items.count == 9,
            let version = items[0].intValue, version == 3 || version == 4,
            let order = items[1].stringValue, ["<", ">", "|", "="].contains(order)
        else {
            throw DataObjectProblem.malformed("numpy.dtype's BUILD state is not numpy's (version, byteorder, ...) tuple")
        }
        guard items[2] == .none, items[3] == .none, items[4] == .none else {
            throw DataObjectProblem.refusedDType("a structured or subarray dtype")
        }
        guard items[7].intValue == 0, items.count == 8 || items[8] == .none else {
            throw DataObjectProblem.refusedDType("a dtype with flags or metadata")
        }
        return order
    }
}

extension PickleValue {
    /// Bytes read as ASCII text (numpy 1.x under Python 2 spelled type strings as bytes).
    var bytesText: String? {
        guard case .bytes(let bytes) = self, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
