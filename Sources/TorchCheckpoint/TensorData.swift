import CheckpointContainers

/// Reading tensor elements, on demand. Opening a checkpoint reads none of them.
extension Checkpoint {
    /// The tensor's elements in row-major order as little-endian bytes, whatever its strides, offset or the
    /// file's byte order.
    public func contiguousBytes(of tensor: TorchTensor) throws -> [UInt8] {
        let storage = storage(of: tensor)
        let size = tensor.dtype.elementSize
        try checkMaterializable(tensor, storage: storage)
        var result = [UInt8](repeating: 0, count: tensor.byteCount)
        guard tensor.elementCount > 0 else { return result }
        do {
            if tensor.isContiguous {
                try bytes.read(
                    storage.source, offset: tensor.storageOffset * size, count: result.count, into: &result, at: 0)
            } else {
                try gather(tensor, storage: storage, into: &result)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw wrap(error)
        }
        if format.isBigEndian { ByteSwap.swapElements(&result, dtype: tensor.dtype) }
        return result
    }

    /// The values of a float32 tensor, row-major; contiguous little-endian tensors are read straight into the
    /// array, others gathered.
    public func float32Values(of tensor: TorchTensor) throws -> [Float] {
        precondition(tensor.dtype == .float32, "float32Values(of:) needs a float32 tensor, not \(tensor.dtype)")
        if tensor.isContiguous, !format.isBigEndian {
            do {
                if let values = try bytes.readFloat32(
                    storage(of: tensor).source, offset: tensor.storageOffset * 4, count: tensor.elementCount)
                {
                    return values
                }
            } catch {
                throw wrap(error)
            }
        }
        return FloatingPointBytes.decodeFloat32(try contiguousBytes(of: tensor))
    }

    /// The values of a floating-point tensor (float64/32/16, bfloat16) as Double, row-major.
    public func doubleValues(of tensor: TorchTensor) throws -> [Double] {
        precondition(tensor.dtype.isFoldable, "doubleValues(of:) needs a floating dtype, not \(tensor.dtype)")
        return ScalarConversion.doubles(fromLittleEndian: try contiguousBytes(of: tensor), dtype: tensor.dtype)
    }

    /// All bytes of a storage, as stored (the file's byte order), for copying it unchanged.
    public func rawBytes(of storage: TorchStorage, offset: Int = 0, count: Int? = nil) throws -> [UInt8] {
        let length = count ?? storage.byteCount - offset
        precondition(offset >= 0 && length >= 0 && offset + length <= storage.byteCount, "range inside the storage")
        var result = [UInt8](repeating: 0, count: length)
        do {
            try bytes.read(storage.source, offset: offset, count: length, into: &result, at: 0)
        } catch {
            throw wrap(error)
        }
        return result
    }

    /// Copies raw storage bytes (the file's byte order) into `buffer[index...]`, for writers that fill buffers.
    func readRaw(_ storage: TorchStorage, offset: Int, into buffer: inout [UInt8], at index: Int, count: Int) throws {
        precondition(offset >= 0 && count >= 0 && offset + count <= storage.byteCount, "range inside the storage")
        do {
            try bytes.read(storage.source, offset: offset, count: count, into: &buffer, at: index)
        } catch {
            throw wrap(error)
        }
    }

    /// Refuses to read a tensor larger than both its storage and ``CheckpointLimits/maxExpandedTensorBytes``
    /// (an expanded view): its size comes from the pickle alone, not from bytes present in the file.
    private func checkMaterializable(_ tensor: TorchTensor, storage: TorchStorage) throws {
        guard tensor.byteCount > storage.byteCount, tensor.byteCount > limits.maxExpandedTensorBytes else { return }
        let name = (try? namedTensors().first { $0.tensor == tensor }?.name) ?? nil
        throw CheckpointError(
            path: path,
            .limitExceeded(
                what: "tensor \(name ?? "of shape \(tensor.shape)") (\(tensor.byteCount) bytes, a view repeating the "
                    + "\(storage.byteCount) bytes of storage \(storage.key)) in bytes",
                limit: limits.maxExpandedTensorBytes))
    }

    /// Checks a storage record's CRC-32 against the archive's central directory (zip files only).
    public func verifyCRC(of storage: TorchStorage) throws {
        do {
            try bytes.verifyCRC(storage.source)
        } catch {
            throw wrap(error)
        }
    }

    /// Copies a strided tensor element by element, reading the storage span it covers in one go when that
    /// span is not much larger than the tensor, else one innermost run at a time.
    private func gather(_ tensor: TorchTensor, storage: TorchStorage, into result: inout [UInt8]) throws {
        let size = tensor.dtype.elementSize
        let extent = (tensor.storageExtent() ?? 0) - tensor.storageOffset
        let span = extent * size
        var window = [UInt8]()
        let windowed = span <= max(4 * tensor.byteCount, 16 << 20)
        if windowed {
            window = [UInt8](repeating: 0, count: span)
            try bytes.read(storage.source, offset: tensor.storageOffset * size, count: span, into: &window, at: 0)
        }
        var index = [Int](repeating: 0, count: tensor.shape.count)
        var element = [UInt8](repeating: 0, count: size)
        for position in 0..<tensor.elementCount {
            var offset = 0
            for axis in index.indices { offset += index[axis] * tensor.strides[axis] }
            if windowed {
                for b in 0..<size { result[position * size + b] = window[offset * size + b] }
            } else {
                try bytes.read(
                    storage.source, offset: (tensor.storageOffset + offset) * size, count: size,
                    into: &element, at: 0)
                for b in 0..<size { result[position * size + b] = element[b] }
            }
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < tensor.shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }

    func wrap(_ error: Error) -> Error {
        if let error = error as? CheckpointError { return error }
        if let reason = error as? CheckpointError.Reason { return CheckpointError(path: path, reason) }
        if let container = error as? ContainerError { return CheckpointError(path: path, .container(container)) }
        return error
    }
}

/// Element-wise byte swapping for files written on big-endian machines.
enum ByteSwap {
    static func swapElements(_ bytes: inout [UInt8], dtype: TorchDType) {
        swapElements(&bytes, in: bytes.indices, dtype: dtype)
    }

    /// Swaps the elements of `range`, which must start at an element boundary.
    static func swapElements(_ bytes: inout [UInt8], in range: Range<Int>, dtype: TorchDType) {
        // Complex numbers are two reals, each swapped on its own.
        let isComplex = dtype == .complex64 || dtype == .complex128 || dtype == .complex32
        let unit = isComplex ? dtype.elementSize / 2 : dtype.elementSize
        guard unit > 1 else { return }
        var start = range.lowerBound
        while start + unit <= range.upperBound {
            bytes[start..<start + unit].reverse()
            start += unit
        }
    }
}
