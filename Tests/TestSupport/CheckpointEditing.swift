import CheckpointContainers
import PickleMachine
import TorchCheckpoint

/// Makes altered copies of fixtures with our own writer: tampered merges, unfoldable modules, edited scalars.
public struct CheckpointEditing {
    public let checkpoint: Checkpoint
    public var draft: CheckpointDraft

    public init(_ path: String) throws {
        checkpoint = try CheckpointReader.open(path)
        draft = CheckpointDraft(copying: checkpoint)
    }

    /// The dict at a dotted path of dict keys (the root for "").
    public func dict(_ path: String) -> PickleNodeID {
        var value = draft.root
        for key in path.split(separator: ".") where !path.isEmpty {
            value = draft.graph.lookup(value, String(key))!
        }
        return value.nodeID!
    }

    /// Replaces a tensor entry of the root-level dict at `path` by a float tensor with these values.
    public mutating func setTensor(
        _ key: String, in path: String = "", values: [Double], shape: [Int], dtype: TorchDType = .float32
    ) {
        let bytes = ScalarConversion.littleEndianBytes(values, dtype: dtype)
        let tensor = draft.addInlineTensor(
            dtype: dtype, shape: shape, strides: TorchTensor.contiguousStrides(for: shape), bytes: bytes)
        set(key, in: path, to: tensor)
    }

    /// Adds `delta` to one element of a float tensor.
    public mutating func nudge(_ key: String, in path: String = "", element: Int, by delta: Double) throws {
        let named = try checkpoint.namedTensors().first { $0.name == (path.isEmpty ? key : path + "." + key) }!
        var values = try checkpoint.doubleValues(of: named.tensor)
        values[element] += delta
        setTensor(key, in: path, values: values, shape: named.tensor.shape, dtype: named.tensor.dtype)
    }

    public mutating func remove(_ key: String, in path: String = "") {
        let id = dict(path)
        draft.graph[id].entries.removeAll { $0.key == .string(key) }
    }

    public mutating func set(_ key: String, in path: String = "", to value: PickleValue) {
        let id = dict(path)
        let index = draft.graph[id].entries.firstIndex { $0.key == .string(key) }!
        draft.graph[id].entries[index].value = value
    }

    /// Writes the edited copy.
    public func write(to path: String) throws {
        _ = try CheckpointWriter.write(draft, to: path, options: CheckpointWriteOptions(replaceExisting: true))
    }
}
