import PickleMachine

/// Builds the pickle nodes torch uses for a tensor, so a written file is what `torch.save` would write.
enum TensorPickling {
    /// `torch._utils._rebuild_tensor_v2(pid, 0, shape, contiguous strides, False, OrderedDict())`, where pid is
    /// `("storage", torch.<Dtype>Storage, key, "cpu", elements)`.
    static func rebuildCall(
        in graph: inout PickleGraph, storageKey: String, dtype: TorchDType, storageElements: Int, shape: [Int],
        strides: [Int]? = nil
    ) -> PickleValue {
        let storageClass = graph.add(PickleNode(kind: .global(PickleGlobal(module: "torch", name: dtype.storageClassName!))))
        let pidTuple = graph.add(
            PickleNode(
                kind: .tuple,
                items: [
                    .string("storage"), storageClass, .string(storageKey), .string("cpu"), .int(Int64(storageElements)),
                ]))
        let pid = graph.add(PickleNode(kind: .persistentID, args: pidTuple))
        let size = graph.add(PickleNode(kind: .tuple, items: shape.map { .int(Int64($0)) }))
        let stride = graph.add(
            PickleNode(kind: .tuple, items: (strides ?? TorchTensor.contiguousStrides(for: shape)).map { .int(Int64($0)) }))
        let hooks = graph.add(PickleNode(kind: .dict(ordered: true)))
        let args = graph.add(PickleNode(kind: .tuple, items: [pid, .int(0), size, stride, .bool(false), hooks]))
        return graph.add(PickleNode(kind: .call(PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")), args: args))
    }
}

extension TensorPickling {
    /// `torch._utils._rebuild_tensor_v3(pid, 0, shape, contiguous strides, False, OrderedDict(), torch.<dtype>)`
    /// over `("storage", torch.storage.UntypedStorage, key, "cpu", bytes)`: how torch saves the dtypes that
    /// have no typed storage class (uint16/32/64, float8, ...).
    static func rebuildCallV3(
        in graph: inout PickleGraph, storageKey: String, dtype: TorchDType, shape: [Int], strides: [Int]? = nil
    ) -> PickleValue {
        let bytes = shape.reduce(1, *) * dtype.elementSize
        let storageClass = graph.add(PickleNode(kind: .global(PickleGlobal(module: "torch.storage", name: "UntypedStorage"))))
        let pidTuple = graph.add(
            PickleNode(
                kind: .tuple,
                items: [
                    .string("storage"), storageClass, .string(storageKey), .string("cpu"), .int(Int64(bytes)),
                ]))
        let pid = graph.add(PickleNode(kind: .persistentID, args: pidTuple))
        let size = graph.add(PickleNode(kind: .tuple, items: shape.map { .int(Int64($0)) }))
        let stride = graph.add(
            PickleNode(kind: .tuple, items: (strides ?? TorchTensor.contiguousStrides(for: shape)).map { .int(Int64($0)) }))
        let hooks = graph.add(PickleNode(kind: .dict(ordered: true)))
        let dtypeGlobal = graph.add(PickleNode(kind: .global(PickleGlobal(module: "torch", name: dtype.rawValue))))
        let args = graph.add(PickleNode(kind: .tuple, items: [pid, .int(0), size, stride, .bool(false), hooks, dtypeGlobal]))
        return graph.add(PickleNode(kind: .call(PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v3")), args: args))
    }
}
