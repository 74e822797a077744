import PickleMachine
import TorchCheckpoint

/// A convolution's stride, padding, dilation and groups, as a whole pickled `nn.Conv2d` records them
/// (a state_dict does not store them).
public struct ModuleGeometry: Sendable, Equatable, CustomStringConvertible {
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var groups: Int
    public var paddingMode: String

    public var description: String {
        "stride \(stride), padding \(padding), dilation \(dilation), groups \(groups)"
    }

    /// Reads the attributes of a pickled conv module; nil if they are not there or not ints.
    public static func read(_ module: PickledModule, graph: PickleGraph, kernel: [Int]) -> ModuleGeometry? {
        func pair(_ key: String) -> [Int]? {
            guard let value = module.attributes[key] else { return nil }
            if let int = value.intValue { return [int, int] }
            guard let node = graph.node(value), case .tuple = node.kind else { return nil }
            let ints = node.items.compactMap(\.intValue)
            return ints.count == node.items.count ? (ints.count == 1 ? [ints[0], ints[0]] : ints) : nil
        }
        guard let stride = pair("stride"), let dilation = pair("dilation"),
            let groups = module.attributes["groups"]?.intValue
        else { return nil }
        var padding: [Int]
        switch module.attributes["padding"] {
        case .string("same")?: padding = zip(kernel, dilation).map { $1 * ($0 / 2) }
        case .string("valid")?: padding = [0, 0]
        default:
            guard let explicit = pair("padding") else { return nil }
            padding = explicit
        }
        let mode = module.attributes["padding_mode"]?.stringValue ?? "zeros"
        return ModuleGeometry(stride: stride, padding: padding, dilation: dilation, groups: groups, paddingMode: mode)
    }

    /// Folding is exact only when each axis pads by dilation * (k // 2): then the centre tap reads the pixel
    /// the 1x1 convolution reads.
    func foldProblem(kernel: [Int]) -> String? {
        let needed = zip(kernel, dilation).map { $1 * ($0 / 2) }
        guard padding == needed else {
            return "padding \(padding) with dilation \(dilation) and kernel \(kernel[0])x\(kernel[1]): "
                + "the fold is exact only with padding \(needed) (dilation * (k // 2))"
        }
        return nil
    }
}
