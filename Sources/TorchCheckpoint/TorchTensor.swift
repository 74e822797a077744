/// A tensor as a checkpoint describes it: a strided view of a storage. No element is read until asked.
public struct TorchTensor: Sendable, Equatable {
    /// Key of the storage it views.
    public let storageKey: String
    public let dtype: TorchDType
    public let shape: [Int]
    public let strides: [Int]
    /// Offset into the storage, in elements of ``dtype``.
    public let storageOffset: Int
    public let requiresGrad: Bool
    /// Saved as an `nn.Parameter` (through `_rebuild_parameter*`), not as a plain tensor.
    public let isParameter: Bool
    /// The torch function that rebuilds it (`_rebuild_tensor_v2`, ...), for reports.
    public let rebuildFunction: String

    public init(
        storageKey: String, dtype: TorchDType, shape: [Int], strides: [Int], storageOffset: Int,
        requiresGrad: Bool = false, isParameter: Bool = false, rebuildFunction: String = "_rebuild_tensor_v2"
    ) {
        self.storageKey = storageKey
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.storageOffset = storageOffset
        self.requiresGrad = requiresGrad
        self.isParameter = isParameter
        self.rebuildFunction = rebuildFunction
    }

    /// Number of elements (1 for a 0-dim tensor). Shapes are validated on read, so this cannot overflow.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes the tensor's elements take when laid out contiguously.
    public var byteCount: Int { elementCount * dtype.elementSize }

    /// Row-major contiguous strides for ``shape``.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= max(shape[axis], 1)
        }
        return strides
    }

    /// Laid out row-major without gaps, so its bytes are one slice of the storage.
    public var isContiguous: Bool {
        var expected = 1
        for axis in shape.indices.reversed() where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Number of storage elements from the storage start up to and including the last one the tensor
    /// touches (0 for an empty tensor), or nil if that overflows.
    public func storageExtent() -> Int? {
        if shape.contains(0) { return 0 }
        var last = storageOffset
        for (size, stride) in zip(shape, strides) {
            let (span, overflow1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(span)
            if overflow1 || overflow2 { return nil }
            last = sum
        }
        let (extent, overflow) = last.addingReportingOverflow(1)
        return overflow ? nil : extent
    }
}
