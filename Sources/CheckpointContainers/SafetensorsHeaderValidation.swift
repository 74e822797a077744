/// Turns a header's JSON into a ``SafetensorsHeader``, enforcing the format's rules as the reference
/// implementation does (`safetensors/src/tensor.rs`): known dtypes, `numel * element size` bytes per tensor,
/// offsets inside the data area, tensors covering the data area exactly once (no overlap, no gap, no
/// trailing bytes), unique names, `__metadata__` an object of strings. Every count is overflow-checked.
struct SafetensorsHeaderValidation {
    let limits: SafetensorsLimits

    /// Validates `json` (the header at file offset 8, of `length` bytes) for a data area of `dataSize` bytes.
    func header(_ json: SafetensorsJSON, length: UInt64, dataSize: UInt64) throws(SafetensorsProblem) -> SafetensorsHeader {
        guard case .object(let members) = json else { throw .headerNotAnObject }
        var tensors: [SafetensorsTensorInfo] = []
        var metadata: [SafetensorsMetadataEntry]?
        var names = Set<String>()
        for (key, value) in members {
            guard names.insert(key).inserted else { throw .duplicateTensorName(key) }
            if key == "__metadata__" {
                metadata = try self.metadata(value)
                continue
            }
            guard tensors.count < limits.maxTensors else { throw .tooManyTensors(limit: limits.maxTensors) }
            tensors.append(try tensor(key, value, dataSize: dataSize))
        }
        try checkCoverage(tensors, dataSize: dataSize)
        return SafetensorsHeader(length: length, tensors: tensors, metadata: metadata)
    }

    private func metadata(_ value: SafetensorsJSON) throws(SafetensorsProblem) -> [SafetensorsMetadataEntry] {
        guard case .object(let members) = value else {
            throw .invalidMetadata(key: nil, reason: "expected an object of strings, found \(value.kindDescription)")
        }
        var keys = Set<String>()
        var entries: [SafetensorsMetadataEntry] = []
        for (key, item) in members {
            guard keys.insert(key).inserted else { throw .invalidMetadata(key: key, reason: "the key appears more than once") }
            guard case .string(let text) = item else {
                throw .invalidMetadata(key: key, reason: "expected a string, found \(item.kindDescription)")
            }
            entries.append(SafetensorsMetadataEntry(key: key, value: text))
        }
        return entries
    }

    /// One tensor entry: its fields, its byte count against its offsets, its offsets against the data area.
    /// Fields other than the three are ignored, as the reference ignores them.
    private func tensor(_ name: String, _ value: SafetensorsJSON, dataSize: UInt64) throws(SafetensorsProblem)
        -> SafetensorsTensorInfo
    {
        func malformed(_ reason: String) -> SafetensorsProblem { .malformedTensorInfo(tensor: name, reason: reason) }
        guard case .object(let members) = value else { throw malformed("expected an object, found \(value.kindDescription)") }
        var fields: [String: SafetensorsJSON] = [:]
        for (key, item) in members {
            guard fields.updateValue(item, forKey: key) == nil else { throw malformed("field '\(key)' appears more than once") }
        }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw malformed("'dtype' must be a string") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw .unknownDType(tensor: name, dtype: dtypeName) }
        guard case .array(let dimensions)? = fields["shape"] else { throw malformed("'shape' must be an array") }
        guard dimensions.count <= limits.maxDimensions else {
            throw .tooManyDimensions(tensor: name, count: dimensions.count, limit: limits.maxDimensions)
        }
        let shape = try dimensions.map { (item: SafetensorsJSON) throws(SafetensorsProblem) -> Int in
            guard case .integer(let size) = item else { throw malformed("shape entries must be non-negative integers") }
            guard let size = Int(exactly: size) else { throw .sizeOverflow(tensor: name) }
            return size
        }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
            case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1]
        else {
            throw malformed("'data_offsets' must be two non-negative integers")
        }
        guard begin <= end else { throw .offsetsReversed(tensor: name, begin: begin, end: end) }
        guard end <= dataSize else { throw .offsetsOutOfRange(tensor: name, end: end, dataSize: dataSize) }
        let expected = try byteCount(shape: shape, dtype: dtype, name: name)
        guard expected == end - begin else { throw .sizeMismatch(tensor: name, expected: expected, actual: end - begin) }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    private func byteCount(shape: [Int], dtype: SafetensorsDType, name: String) throws(SafetensorsProblem) -> UInt64 {
        var count: UInt64 = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: UInt64(size))
            guard !overflow else { throw .sizeOverflow(tensor: name) }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: UInt64(dtype.elementSize))
        guard !overflow, bytes <= UInt64(Int.max) else { throw .sizeOverflow(tensor: name) }
        return bytes
    }

    /// In data order, each tensor must start where the previous one ended, and the last end the data area.
    private func checkCoverage(_ tensors: [SafetensorsTensorInfo], dataSize: UInt64) throws(SafetensorsProblem) {
        let ordered = tensors.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var end: UInt64 = 0
        var previous: String?
        for tensor in ordered {
            if tensor.begin < end, let previous { throw .overlappingTensors(first: previous, second: tensor.name) }
            if tensor.begin > end { throw .gapBeforeTensor(tensor: tensor.name, begin: tensor.begin, expected: end) }
            end = tensor.end
            previous = tensor.name
        }
        guard end == dataSize else { throw .uncoveredData(end: end, dataSize: dataSize) }
    }
}
