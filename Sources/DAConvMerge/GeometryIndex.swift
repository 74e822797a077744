import PickleMachine
import TorchCheckpoint

/// Finds the geometry of a DAConv's branch convolutions in whole pickled models, where torch keeps it.
public struct GeometryIndex: Sendable {
    private var modules: [String: PickledModule] = [:]
    private let graph: PickleGraph

    public init(models: [PickledModel], graph: PickleGraph) {
        // Kept only when there is a model to read: a kept graph shares its arrays, and a draft that takes the
        // checkpoint's tree (a state_dict's) would then copy them on its first edit.
        self.graph = models.isEmpty ? PickleGraph() : graph
        for model in models {
            let base = model.path.joined(separator: ".")
            for module in model.modules { modules[base + "|" + module.prefix] = module }
        }
    }

    /// The branches' common geometry and, if folding would not be exact or the branches disagree, why.
    /// `(nil, nil)` when the module does not come from a pickled model (a state_dict stores no geometry).
    public func geometry(of module: DAConvModule, under modelPath: String?) -> (value: ModuleGeometry?, problem: String?) {
        guard let modelPath else { return (nil, nil) }
        let kernel = [module.kernel.height, module.kernel.width]
        var common: ModuleGeometry?
        for branch in module.branches {
            let prefix = module.module.isEmpty ? branch.rule.name : module.module + "." + branch.rule.name
            guard let pickled = modules[modelPath + "|" + prefix] else { continue }
            guard let geometry = ModuleGeometry.read(pickled, graph: graph, kernel: kernel) else {
                return (nil, "\(prefix) (\(pickled.className)) has no readable stride, padding, dilation and groups")
            }
            if let common, common != geometry {
                return (nil, "its branches have different geometry: \(common) and \(geometry)")
            }
            common = geometry
        }
        if let common, let problem = common.foldProblem(kernel: kernel) { return (common, problem) }
        return (common, nil)
    }
}
