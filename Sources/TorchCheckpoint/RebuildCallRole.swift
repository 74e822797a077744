import PickleMachine

/// What a call of one allow-listed global means to ``TensorInterpreter``, decided once per distinct global
/// (a checkpoint of tens of thousands of tensors calls the same two or three globals for every tensor).
enum RebuildCallRole {
    /// `torch._utils._rebuild_tensor[_v2|_v3]`, read by its function.
    case rebuildTensor(RebuildFunction)
    /// `_rebuild_parameter[_with_state]`, `_rebuild_device_tensor_from_cpu_tensor`: a tensor wrapped again.
    case wrapsTensor
    /// A tensor kind this tool does not model, by its qualified name.
    case unsupported(String)
    /// `torch._tensor._rebuild_from_type_v2`, a subclass around an inner rebuild call.
    case fromType(qualifiedName: String)
    /// numpy and pathlib data, decoded after the first pass.
    case data
    /// Anything else (containers such as `OrderedDict`).
    case ignored

    init(_ global: PickleGlobal) {
        if global.module == "torch._utils" {
            self = Self.utils(global, name: global.name)
            return
        }
        // Other modules: by the qualified name, as torch's allow-list reads it (`torch` + `_utils.x` is `torch._utils.x`).
        let qualified = global.qualifiedName
        if qualified.hasPrefix("torch._utils.") {
            self = Self.utils(global, name: String(qualified.dropFirst("torch._utils.".count)))
        } else if qualified == "torch._tensor._rebuild_from_type_v2" {
            self = .fromType(qualifiedName: qualified)
        } else if DecodedDataGlobals.decodesCall(of: global) {
            self = .data
        } else {
            self = .ignored
        }
    }

    /// The rebuild functions of `torch._utils`, by their `name` there (reports keep the global's own name).
    private static func utils(_ global: PickleGlobal, name: String) -> RebuildCallRole {
        switch name {
        case "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3": return .rebuildTensor(RebuildFunction(global.name))
        case "_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_device_tensor_from_cpu_tensor": return .wrapsTensor
        case "_rebuild_qtensor", "_rebuild_sparse_tensor", "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass",
            "_rebuild_device_tensor_from_numpy":
            return .unsupported(global.qualifiedName)
        default: return .ignored
        }
    }
}

/// A `torch._utils` rebuild function as its name says how to read its arguments.
struct RebuildFunction {
    /// The global's own name, which the tensor keeps.
    let name: String
    /// `_v3` carries its dtype as its seventh argument.
    let isV3: Bool
    /// Arguments it needs: `(storage, offset, size, stride)`, `_v2` adds `requires_grad, hooks`, `_v3` a dtype.
    let minimumArguments: Int

    init(_ name: String) {
        self.name = name
        isV3 = name == "_rebuild_tensor_v3"
        minimumArguments = isV3 ? 7 : (name == "_rebuild_tensor" ? 4 : 6)
    }
}

extension RebuildCallRole {
    /// The inner `_rebuild_tensor*` call of `torch._tensor._rebuild_from_type_v2(function, type, args, state)`:
    /// its function and arguments, or nil when it is not one (the subclass is then a tensor kind not modelled).
    static func innerRebuild(of args: PickleValues, in graph: PickleGraph) -> (RebuildFunction, PickleValues)? {
        guard args.count >= 3, let function = graph.global(args[0]), let inner = graph.sequenceItems(args[2]),
            function.module == "torch._utils", function.name.hasPrefix("_rebuild_tensor")
        else { return nil }
        return (RebuildFunction(function.name), inner)
    }
}

extension RebuildCallRole {
    /// What a `.wrapsTensor` call makes of the tensor of its first argument: `_rebuild_parameter*` a parameter
    /// with its own `requires_grad` (default True), `_rebuild_device_tensor_from_cpu_tensor` the same tensor.
    static func rewrapped(_ data: TorchTensor, by global: PickleGlobal, _ args: PickleValues) -> TorchTensor {
        let isParameter = global.name.hasPrefix("_rebuild_parameter")
        let requiresGrad = isParameter ? (args.count > 1 ? args[1].boolValue ?? true : true) : data.requiresGrad
        return TorchTensor(
            storageKey: data.storageKey, dtype: data.dtype, shape: data.shape, strides: data.strides,
            storageOffset: data.storageOffset, requiresGrad: requiresGrad, isParameter: isParameter,
            rebuildFunction: global.name)
    }
}

extension RebuildFunction {
    /// The tensor the call's arguments describe over `storage`, once its offset, size and stride are read:
    /// `_v3` names its own dtype (a torch dtype global), the others take the storage's.
    func tensor(
        _ args: PickleValues, storage: StorageDeclaration, offset: Int, shape: [Int], strides: [Int], in graph: PickleGraph
    ) throws -> TorchTensor {
        var dtype = storage.dtype
        if isV3 {
            guard let dtypeGlobal = graph.global(args[6]), dtypeGlobal.module == "torch",
                let named = TorchDType(globalName: dtypeGlobal.name)
            else {
                throw CheckpointError.Reason.unknownDType(describe(args[6], graph))
            }
            dtype = named
        }
        return TorchTensor(
            storageKey: storage.key, dtype: dtype, shape: shape, strides: strides, storageOffset: offset,
            requiresGrad: args.count > 4 ? args[4].boolValue ?? false : false, isParameter: false, rebuildFunction: name)
    }
}
