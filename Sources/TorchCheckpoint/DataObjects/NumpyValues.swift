import PickleMachine

/// A numpy scalar (`numpy.float64(31.2)`): `numpy.core.multiarray.scalar(dtype, raw bytes)` through REDUCE.
public struct NumpyScalar: Sendable, Equatable {
    /// The scalar's dtype as pickled (numpy scalars are native-endian; a crafted big-endian one is swapped).
    public let dtype: NumpyDType
    /// The value as Python would hold it after `.item()`: bool, int (big ints included) or float.
    /// Complex values are ``real`` and ``imaginary`` instead (value is nil).
    public let value: PickleValue?
    /// Complex scalars' parts (0 for the others).
    public let real: Double
    /// See ``real``.
    public let imaginary: Double
    /// Pickled by numpy 1.x (`numpy.core.multiarray.scalar`), whose bool type is `numpy.bool_` (numpy 2: `numpy.bool`).
    public var pickledByNumpy1 = false

    static func read(_ node: PickleNode, in graph: PickleGraph) throws -> NumpyScalar {
        let args = graph.sequence(node.args) ?? []
        guard args.count == 2, let dtypeNode = graph.node(args[0]), case .call(let function) = dtypeNode.kind,
            function.qualifiedName == "numpy.dtype"
        else {
            throw DataObjectProblem.malformed("numpy scalar's arguments are (dtype, bytes)")
        }
        let dtype = try NumpyDType.read(dtypeNode, in: graph)
        guard case .bytes(var bytes) = args[1], bytes.count == dtype.itemSize else {
            throw DataObjectProblem.malformed(
                "numpy \(dtype.name) scalar needs \(dtype.itemSize) bytes, found \(describe(args[1], graph))")
        }
        if dtype.isBigEndian { ByteSwap.swapElements(&bytes, dtype: dtype.torchDType) }
        var scalar = NumpyScalar(dtype: dtype, littleEndian: bytes)
        if case .call(let function) = node.kind { scalar.pickledByNumpy1 = function.module == "numpy.core.multiarray" }
        return scalar
    }

    /// The element's bytes, little-endian, as the array holds them.
    let littleEndianBytes: [UInt8]

    init(dtype: NumpyDType, littleEndian bytes: [UInt8]) {
        self.dtype = dtype
        self.littleEndianBytes = bytes
        let word = { (at: Int, size: Int) -> UInt64 in
            (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
        }
        switch dtype.kind {
        case "c":
            let half = dtype.itemSize / 2
            (real, imaginary) = (Self.float(word(0, half), size: half), Self.float(word(half, half), size: half))
            value = nil
            return
        case "b": value = .bool(bytes[0] != 0)
        case "f": value = .float(Self.float(word(0, dtype.itemSize), size: dtype.itemSize))
        case "u":
            let unsigned = word(0, dtype.itemSize)
            value =
                unsigned <= UInt64(Int64.max)
                ? .int(Int64(unsigned))
                : .bigInt(PickleBigInt(littleEndianBytes: Array(bytes[0..<8]) + [0]))
        default:
            let shift = UInt64(64 - 8 * dtype.itemSize)
            value = .int(Int64(bitPattern: word(0, dtype.itemSize) << shift) >> Int64(shift))
        }
        (real, imaginary) = (0, 0)
    }

    private static func float(_ bits: UInt64, size: Int) -> Double {
        switch size {
        case 2: return Double(Float16(bitPattern: UInt16(bits)))
        case 4: return Double(Float(bitPattern: UInt32(bits)))
        default: return Double(bitPattern: bits)
        }
    }
}

/// A numpy array: `_reconstruct(numpy.ndarray, (0,), b'b')` then BUILD with `(1, shape, dtype, is_fortran,
/// raw bytes)` (protocols 0 to 4), or `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)` (protocol 5).
public struct NumpyArray: Sendable, Equatable {
    /// The dtype as pickled (``bytes`` are little-endian whatever its byte order).
    public let dtype: NumpyDType
    /// numpy's shape; `[]` for a 0-d array.
    public let shape: [Int]
    /// Elements in column-major order (numpy's `is_fortran`), as the bytes are.
    public let isFortranOrder: Bool
    /// The elements, little-endian (swapped when the array was big-endian), bools as 0 or 1.
    public let bytes: [UInt8]

    /// Elements (1 for a 0-d array); checked against the bytes when read, so it cannot overflow.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Strides in elements for the byte order of ``bytes``.
    public var strides: [Int] {
        guard isFortranOrder else { return TorchTensor.contiguousStrides(for: shape) }
        var strides: [Int] = []
        var running = 1
        for size in shape {
            strides.append(running)
            running *= max(size, 1)
        }
        return strides
    }

    /// `_reconstruct(...)` with its BUILD state.
    static func reconstructed(_ node: PickleNode, in graph: PickleGraph) throws -> NumpyArray {
        let args = graph.sequence(node.args) ?? []
        guard args.count == 3, let subtype = graph.global(args[0]) else {
            throw DataObjectProblem.malformed("_reconstruct's arguments are (numpy.ndarray, shape, typecode)")
        }
        guard subtype.qualifiedName == "numpy.ndarray" else {
            throw DataObjectProblem.refused("an array of numpy subclass \(subtype.qualifiedName) (only numpy.ndarray is read)")
        }
        guard let state = node.state, var items = graph.sequence(state), items.count == 4 || items.count == 5 else {
            throw DataObjectProblem.malformed("numpy array without numpy's BUILD state (version, shape, dtype, is_fortran, data)")
        }
        if items.count == 5 {
            guard items[0].intValue == 1 else { throw DataObjectProblem.malformed("numpy array state version is not 1") }
            items.removeFirst()
        }
        guard let fortran = items[2].boolValue else {
            throw DataObjectProblem.malformed("numpy array's is_fortran is not a bool")
        }
        return try make(dtypeValue: items[1], shapeValue: items[0], fortran: fortran, data: items[3], in: graph)
    }

    /// `_frombuffer(buffer, dtype, shape, order)`.
    static func fromBuffer(_ node: PickleNode, in graph: PickleGraph) throws -> NumpyArray {
        let args = graph.sequence(node.args) ?? []
        guard args.count == 4, let order = args[3].stringValue, order == "C" || order == "F" else {
            throw DataObjectProblem.malformed("_frombuffer's arguments are (buffer, dtype, shape, 'C' or 'F')")
        }
        return try make(dtypeValue: args[1], shapeValue: args[2], fortran: order == "F", data: args[0], in: graph)
    }

    private static func make(
        dtypeValue: PickleValue, shapeValue: PickleValue, fortran: Bool, data: PickleValue, in graph: PickleGraph
    ) throws -> NumpyArray {
        guard let dtypeNode = graph.node(dtypeValue), case .call(let function) = dtypeNode.kind,
            function.qualifiedName == "numpy.dtype"
        else {
            throw DataObjectProblem.malformed("numpy array's dtype is not a numpy.dtype")
        }
        let dtype = try NumpyDType.read(dtypeNode, in: graph)
        guard let shape = graph.ints(shapeValue), shape.allSatisfy({ $0 >= 0 }) else {
            throw DataObjectProblem.malformed("numpy array's shape is not a tuple of non-negative ints")
        }
        var count = 1
        for size in shape + [dtype.itemSize] {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw DataObjectProblem.malformed("numpy array's byte count overflows") }
            count = product
        }
        guard case .bytes(var bytes) = data else {
            throw DataObjectProblem.malformed("numpy array's data is \(describe(data, graph)), not bytes")
        }
        guard bytes.count == count else {
            throw DataObjectProblem.malformed(
                "numpy \(dtype.name) array of shape \(shape) needs \(count) bytes, found \(bytes.count)")
        }
        if dtype.isBigEndian { ByteSwap.swapElements(&bytes, dtype: dtype.torchDType) }
        if dtype.kind == "b" { bytes = bytes.map { $0 == 0 ? 0 : 1 } }
        return NumpyArray(dtype: dtype, shape: shape, isFortranOrder: fortran && shape.count > 1, bytes: bytes)
    }
}

extension NumpyArray {
    /// The elements in row-major order (as `contiguousBytes(of:)` gives a tensor's), little-endian.
    public var rowMajorBytes: [UInt8] {
        guard isFortranOrder else { return bytes }
        return elements(limit: elementCount).flatMap(\.littleEndianBytes)
    }

    /// The first `limit` elements in index order (row-major, whatever the memory order), as scalars.
    public func elements(limit: Int) -> [NumpyScalar] {
        let count = min(limit, elementCount)
        let strides = self.strides
        let size = dtype.itemSize
        var little = dtype
        if dtype.isBigEndian { little = NumpyDType(kind: dtype.kind, itemSize: size, isBigEndian: false) }
        return (0..<count).map { index in
            var remaining = index
            var offset = 0
            for axis in shape.indices.reversed() {
                offset += (remaining % shape[axis]) * strides[axis]
                remaining /= shape[axis]
            }
            return NumpyScalar(dtype: little, littleEndian: Array(bytes[offset * size..<(offset + 1) * size]))
        }
    }
}

extension NumpyScalar {
    /// The value as Python prints it: `31.25`, `True`, `(1+2j)`.
    public var text: String {
        guard let value else {
            // Python's complex repr: integral parts without `.0`, `(1+2j)`.
            func part(_ x: Double) -> String {
                x.isFinite && x == x.rounded() && abs(x) < 1e16 ? String(Int64(x)) : PythonRepr.float(x)
            }
            let sign = imaginary.sign == .minus ? "-" : "+"
            return "(\(part(real))\(sign)\(part(abs(imaginary)))j)"
        }
        switch value {
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .bigInt(let number): return number.description
        case .float(let number): return PythonRepr.float(number)
        default: return "?"
        }
    }

    /// The value for JSON: a number, a bool, a string for integers beyond Int, `[real, imaginary]` for complex.
    public var json: JSONValue {
        guard let value else { return .array([.double(real), .double(imaginary)]) }
        switch value {
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(Int(number))
        case .float(let number): return .double(number)
        default: return .string(text)
        }
    }
}
