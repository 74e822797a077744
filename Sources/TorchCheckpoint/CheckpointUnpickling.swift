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

    /// Interprets the tensors and, unless `decodingData` is false (a draft, whose numpy values a merge has already
    /// converted), the numpy and pathlib values.
    static func interpret(_ unpickled: UnpickleResult, limits: CheckpointLimits, decodingData: Bool = true) throws
        -> TensorInterpreter
    {
        var interpreter = TensorInterpreter(graph: unpickled.graph, root: unpickled.root, limits: limits)
        interpreter.decodesData = decodingData
        try interpreter.run()
        return interpreter
    }
}
