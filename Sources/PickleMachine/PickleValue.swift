/// Index of a node in its ``PickleGraph``.
public struct PickleNodeID: Hashable, Sendable, Comparable {
    /// Position in ``PickleGraph/nodes``.
    public let index: Int
    /// The id of the node at `index`.
    public init(index: Int) { self.index = index }
    /// Orders ids by position, which is creation order for graphs the unpickler builds.
    public static func < (lhs: PickleNodeID, rhs: PickleNodeID) -> Bool { lhs.index < rhs.index }
}

/// One value on the pickle machine's stack or inside a container.
///
/// Node values compare and hash by identity (their id), scalars by value, which is what Python's dict
/// does for the keys checkpoints use (strings and ints).
public enum PickleValue: Hashable, Sendable {
    /// Python's `None`.
    case none
    /// `True` / `False`.
    case bool(Bool)
    /// An integer that fits in Int64 (the unpickler never uses `bigInt` for these).
    case int(Int64)
    /// An integer outside Int64: checkpoints rarely hold one, but the legacy magic number is one.
    case bigInt(PickleBigInt)
    /// A Python float.
    case float(Double)
    /// A Python str (and Python 2 strings, decoded as UTF-8).
    case string(String)
    /// Python bytes or bytearray.
    case bytes([UInt8])
    /// A container, object, global or persistent id, by identity.
    case node(PickleNodeID)
}

/// An arbitrary-size integer, kept as Python's LONG opcodes write it: little-endian two's complement.
public struct PickleBigInt: Hashable, Sendable, CustomStringConvertible {
    /// Minimal little-endian two's complement bytes (no redundant sign bytes).
    public let littleEndianBytes: [UInt8]

    /// The integer written as `littleEndianBytes` (two's complement; redundant sign bytes are dropped).
    public init(littleEndianBytes: [UInt8]) {
        self.littleEndianBytes = PickleBigInt.minimized(littleEndianBytes)
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { (littleEndianBytes.last ?? 0) & 0x80 != 0 }

    /// The value as Int64 when it fits.
    public var int64: Int64? {
        guard littleEndianBytes.count <= 8 else { return nil }
        var value: UInt64 = isNegative ? UInt64.max : 0
        for (i, byte) in littleEndianBytes.enumerated() {
            value &= ~(UInt64(0xFF) << (8 * UInt64(i)))
            value |= UInt64(byte) << (8 * UInt64(i))
        }
        return Int64(bitPattern: value)
    }

    /// Decimal digits, as Python prints the integer.
    public var description: String {
        if let small = int64 { return String(small) }
        // Magnitude as little-endian bytes, then repeated division by 10.
        var magnitude = littleEndianBytes
        if isNegative {
            var carry: UInt16 = 1
            for i in magnitude.indices {
                let sum = UInt16(~magnitude[i]) + carry
                magnitude[i] = UInt8(truncatingIfNeeded: sum)
                carry = sum >> 8
            }
        }
        var digits: [Character] = []
        while magnitude.contains(where: { $0 != 0 }) {
            var remainder: UInt16 = 0
            for i in magnitude.indices.reversed() {
                let current = remainder << 8 | UInt16(magnitude[i])
                magnitude[i] = UInt8(current / 10)
                remainder = current % 10
            }
            digits.append(Character(String(remainder)))
        }
        if digits.isEmpty { digits = ["0"] }
        return (isNegative ? "-" : "") + String(digits.reversed())
    }

    static func minimized(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        while result.count > 1 {
            let last = result[result.count - 1]
            let previous = result[result.count - 2]
            if (last == 0 && previous & 0x80 == 0) || (last == 0xFF && previous & 0x80 != 0) {
                result.removeLast()
            } else {
                break
            }
        }
        return result
    }
}

/// A Python global as GLOBAL or STACK_GLOBAL names it, with Python 2 module names mapped to Python 3
/// (`__builtin__` -> `builtins`, `copy_reg` -> `copyreg`), so callers see one spelling.
public struct PickleGlobal: Hashable, Sendable, CustomStringConvertible {
    /// The module, `torch._utils`.
    public let module: String
    /// The name inside the module, `_rebuild_tensor_v2` (dotted for nested classes).
    public let name: String

    /// A global; names are taken as given (``PythonNameMapping`` maps Python 2 spellings).
    public init(module: String, name: String) {
        self.module = module
        self.name = name
    }

    /// `module.name`, the spelling torch's weights-only allow-list uses.
    public var qualifiedName: String { "\(module).\(name)" }
    /// The ``qualifiedName``.
    public var description: String { qualifiedName }
}

/// A key-value pair of a dict, in insertion order.
public struct PickleDictEntry: Sendable {
    /// The key, as first inserted (Python keeps the first of equal keys).
    public var key: PickleValue
    /// The value, as last set.
    public var value: PickleValue
    /// An entry.
    public init(key: PickleValue, value: PickleValue) {
        self.key = key
        self.value = value
    }
}

/// How an inert object came to be, so a writer can rebuild it the same way.
public enum PickleObjectConstruction: Sendable, Equatable {
    /// NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args)`; how `torch.save(model)` stores modules.
    case newObject
    /// NEWOBJ_EX (or `copyreg.__newobj_ex__`) with keyword arguments: `cls.__new__(cls, *args, **kwargs)`;
    /// `args` is the pair (argument tuple, keyword dict).
    case newObjectWithKeywords
    /// `cls(*args)`, running `__init__`. The unpickler never builds it (INST and OBJ call the class, so
    /// they follow the policy and give ``PickleNode/Kind/call(_:)``); the pickler writes it as REDUCE.
    case instantiate
    /// `copyreg._reconstructor(cls, base, state)` through REDUCE (protocols 0 and 1).
    case reconstructor
}
