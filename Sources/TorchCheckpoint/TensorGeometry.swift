/// Checks a tensor's shape, strides and offset against its storage before anything trusts them.
enum TensorGeometry {
    /// `name` is asked for only when the tensor is refused.
    static func validate(
        _ tensor: TorchTensor, storage: StorageDeclaration, limits: CheckpointLimits, name: () -> String
    ) throws {
        func invalid(_ detail: String) -> Error { CheckpointError.Reason.invalidGeometry(tensor: name(), detail: detail) }
        guard tensor.shape.count == tensor.strides.count else {
            throw invalid("size has \(tensor.shape.count) dimensions but stride has \(tensor.strides.count)")
        }
        guard tensor.shape.count <= limits.maxDimensions else {
            throw CheckpointError.Reason.limitExceeded(what: "dimensions of tensor \(name())", limit: limits.maxDimensions)
        }
        guard tensor.storageOffset >= 0 else { throw invalid("negative storage offset \(tensor.storageOffset)") }
        if let negative = tensor.shape.first(where: { $0 < 0 }) { throw invalid("negative size \(negative)") }
        if let negative = tensor.strides.first(where: { $0 < 0 }) { throw invalid("negative stride \(negative)") }
        var count = 1
        for size in tensor.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw invalid("element count of size \(tensor.shape) overflows 64 bits") }
            count = product
        }
        guard count.multipliedReportingOverflow(by: tensor.dtype.elementSize).overflow == false else {
            throw invalid("byte count of size \(tensor.shape) overflows 64 bits")
        }
        guard let extent = tensor.storageExtent() else {
            throw invalid("offset \(tensor.storageOffset) + (size - 1) * stride overflows 64 bits")
        }
        let (storageBytes, overflow) = storage.elementCount.multipliedReportingOverflow(by: storage.dtype.elementSize)
        guard !overflow else {
            throw CheckpointError.Reason.invalidGeometry(tensor: name(), detail: "storage \(storage.key) byte count overflows")
        }
        let available = storageBytes / tensor.dtype.elementSize
        guard extent <= available else {
            throw CheckpointError.Reason.tensorOutOfBounds(
                tensor: name(), storageKey: storage.key,
                needed: "\(extent) (offset \(tensor.storageOffset), size \(tensor.shape), stride \(tensor.strides))",
                available: available)
        }
    }
}
