import PickleMachine

/// The globals torch's own weights-only loader accepts in a checkpoint (torch 2.x `_get_allowed_globals()`).
///
/// A REDUCE, INST or OBJ of anything outside this list is how a malicious pickle runs code, so the
/// unpickler refuses it. Classes reached only through NEWOBJ are not on the list either (whole pickled
/// modules); they stay inert objects and are reported as such.
public enum TorchAllowList {
    /// `module.name` of every allowed global.
    public static let qualifiedNames: Set<String> = {
        var names: Set<String> = [
            "collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter",
            "torch.serialization._get_layout", "torch.Size", "torch.Tensor", "torch.device", "_codecs.encode",
            "builtins.bytearray", "builtins.set", "builtins.complex",
            "torch.storage.TypedStorage", "torch.storage.UntypedStorage",
            "torch._tensor._rebuild_from_type_v2",
        ]
        let rebuilds = [
            "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
            "_rebuild_parameter_with_state", "_rebuild_qtensor", "_rebuild_sparse_tensor",
            "_rebuild_meta_tensor_no_storage", "_rebuild_wrapper_subclass", "_rebuild_device_tensor_from_numpy",
            "_rebuild_device_tensor_from_cpu_tensor",
        ]
        names.formUnion(rebuilds.map { "torch._utils.\($0)" })
        let dtypes =
            TorchDType.allCases.map(\.rawValue) + [
                "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2", "bcomplex32",
            ] + (1...7).flatMap { ["uint\($0)", "int\($0)"] }
        names.formUnion(dtypes.map { "torch.\($0)" })
        let tensorPrefixes = ["Double", "Float", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte"]
        for prefix in tensorPrefixes + ["Bool"] {
            names.insert("torch.\(prefix)Tensor")
            names.insert("torch.cuda.\(prefix)Tensor")
        }
        for prefix in tensorPrefixes {
            names.insert("torch.sparse.\(prefix)Tensor")
            names.insert("torch.cuda.sparse.\(prefix)Tensor")
        }
        let storagePrefixes = tensorPrefixes + ["Bool", "ComplexDouble", "ComplexFloat"]
        for prefix in storagePrefixes {
            names.insert("torch.\(prefix)Storage")
            names.insert("torch.cuda.\(prefix)Storage")
        }
        names.formUnion(["QInt8", "QInt32", "QUInt8", "QUInt4x2", "QUInt2x4"].map { "torch.\($0)Storage" })
        names.formUnion(
            [
                "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric",
                "per_channel_affine_float_qparams",
            ].map { "torch.\($0)" })
        return names
    }()

    /// Modules torch blocks even when a name inside them looks harmless.
    static let blockedModules: Set<String> = ["sys", "os", "posix", "nt"]

    /// Whether a global may be called (REDUCE/INST/OBJ) while reading a checkpoint.
    public static func allows(_ global: PickleGlobal) -> Bool {
        guard !blockedModules.contains(global.module) else { return false }
        return qualifiedNames.contains(normalizedName(global))
    }

    /// torch maps `torch.tensor` to `torch._tensor` when it finds classes; do the same before checking.
    static func normalizedName(_ global: PickleGlobal) -> String {
        if global.module == "torch.tensor" { return "torch._tensor.\(global.name)" }
        return global.qualifiedName
    }

    /// The unpickler policy that enforces this list, plus the numpy and pathlib data calls ``DecodedDataGlobals``
    /// names exactly (kept inert, decoded by the reader, never called). Legacy files name a pickled module's class through the
    /// persistent id `("module", <class global>, source file, source)`; that id resolves to the class itself,
    /// which then stays an inert NEWOBJ class like any other.
    public static var unpicklerPolicy: UnpicklerPolicy {
        UnpicklerPolicy(
            isAllowedCallable: { TorchAllowList.allows($0) || DecodedDataGlobals.decodesCall(of: $0) },
            resolvePersistentID: { id, graph in
                // The count first: storage ids have five items, and reading items copies the graph's table references.
                guard case .node(let node) = id, graph.itemCount(of: node) == 4,
                    let items = graph.sequenceItems(id), items[0] == .string("module"),
                    graph.global(items[1]) != nil
                else { return nil }
                return items[1]
            })
    }
}
