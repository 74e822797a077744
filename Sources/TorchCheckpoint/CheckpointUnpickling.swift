import PickleMachine

/// The steps both formats share: unpickle under torch's allow-list, then name and interpret tensors.
enum CheckpointUnpickling {
    static func unpickle(_ bytes: [UInt8], from start: Int = 0, record: String, limits: CheckpointLimits) throws -> UnpickleResult
    {
        do {
            return try Unpickler.unpickle(bytes, from: start, policy: TorchAllowList.unpicklerPolicy, limits: limits.unpickler)
        } catch let error as PickleError {
            throw CheckpointError.Reason.pickle(error, record: record)
        }
    }

    /// Finds each node's first path (to name tensors in errors), then interprets the tensors and, unless
    /// `decodingData` is false (a draft, whose numpy values a merge has already converted), the numpy and pathlib
    /// values.
    static func interpret(_ unpickled: UnpickleResult, limits: CheckpointLimits, decodingData: Bool = true) throws
        -> TensorInterpreter
    {
        let walker = CheckpointPathWalker(graph: unpickled.graph, leaves: [], maxDepth: limits.maxDepth)
        var names: [PickleNodeID: String] = [:]
        for entry in try walker.entries(from: unpickled.root) where entry.aliasOf == nil {
            if let id = entry.value.nodeID { names[id] = entry.path.isEmpty ? "<root>" : entry.dottedPath }
        }
        var interpreter = TensorInterpreter(graph: unpickled.graph, names: names, limits: limits)
        interpreter.decodesData = decodingData
        try interpreter.run()
        return interpreter
    }
}
