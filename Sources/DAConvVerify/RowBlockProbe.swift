import ConvEngine
import DAConvMerge
import TorchCheckpoint

/// The equivalence probe of a float32 merge that folds a block of output channels at a time: each folded
/// block (every branch's weights and tap sums, and the merged weights) is convolved with the probe input as
/// soon as it exists, while it is still in cache, and the check runs when every block is in.
///
/// The probe is the one ``EquivalenceProbe`` runs, figure for figure: the same seeded input, the same
/// convolutions (computed by blocks of output channels, which changes no bit), the same reference and
/// tolerance, the latter from the fold's norms.
public final class RowBlockProbe {
    private let module: String
    private let shape: [Int]
    private let geometry: ModuleGeometry?
    private let options: ProbeOptions
    private let kinds: [DAConvRules.Kind]
    /// Each branch's kxk convolution, then the merged conv's.
    private let kernels: RowBlockConvolution<Float>
    /// The 1x1 convolutions of the add and difference branches' tap sums, in branch order.
    private let pointwise: RowBlockConvolution<Double>?

    /// The probe of `module`, a DAConv whose branches are of `kinds` and whose weights have `shape`; nil when
    /// its convolutions cannot be computed by blocks (then check the whole weights with ``EquivalenceProbe``),
    /// and unless the merged weights are held to the rounded-once bound, which needs only the fold's norms
    /// (the bound for any natural fold reads every branch weight).
    public init?(module: String, shape: [Int], kinds: [DAConvRules.Kind], geometry: ModuleGeometry?, options: ProbeOptions) {
        guard options.origin == .roundedOnce else { return nil }
        let setup = ProbeSetup(shape: shape, geometry: geometry, options: options)
        let kernel = DAConvForward.kernelGeometry(
            shape: shape, stride: ConvPair(height: setup.stride[0], width: setup.stride[1]),
            dilation: ConvPair(height: setup.dilation[0], width: setup.dilation[1]), groups: setup.groups)
        let centred = kinds.filter { $0 != .vanilla }.count
        guard
            let input = try? ProbeComputation<Float>.input(
                shape: setup.probeShape, seed: SeededNormal.seed(options.seed, module)),
            let kernels = try? RowBlockConvolution<Float>(
                input: input, weightShape: Shape4(shape[0], shape[1], shape[2], shape[3]), geometry: kernel,
                filters: kinds.count + 1)
        else { return nil }
        if centred > 0 {
            guard
                let pointwise = try? RowBlockConvolution<Double>(
                    input: input, weightShape: Shape4(shape[0], shape[1], 1, 1),
                    geometry: DAConvForward.pointwiseGeometry(kernel), filters: centred)
            else { return nil }
            self.pointwise = pointwise
        } else {
            pointwise = nil
        }
        self.module = module
        self.shape = shape
        self.geometry = geometry
        self.options = options
        self.kinds = kinds
        self.kernels = kernels
    }

    /// One folded block: every branch's weights (with its bias, every channel's) and tap sums, and the merged
    /// weights (with the merged bias). Each output channel must come in exactly one block.
    public func multiply(_ block: FastFold.FoldedRows, biases: [[Float]?], mergedBias: [Float]?) {
        precondition(block.branches.count == kinds.count && biases.count == kinds.count, "every branch")
        var position = 0
        for (index, kind) in kinds.enumerated() {
            kernels.multiply(filter: index, rows: block.rows, weights: block.branches[index], bias: biases[index])
            guard kind != .vanilla else { continue }
            pointwise?.multiply(filter: position, rows: block.rows, weights: block.tapSums[index], bias: nil)
            position += 1
        }
        kernels.multiply(filter: kinds.count, rows: block.rows, weights: block.merged, bias: mergedBias)
    }

    /// The check, once every channel is in: `probe` gives the branches' kinds, gates and biases, the merged
    /// bias and the fold's norms (its weights and tap sums are not read).
    public func check(_ probe: ProbeModule<Float>, dtype: TorchDType) -> LayerCheck {
        precondition(probe.statistics != nil && probe.shape == shape && probe.branches.map(\.kind) == kinds, "the probed module")
        let results = kernels.results
        var centred = (pointwise?.results ?? []).makeIterator()
        let convolved = ProbeConvolutions(
            branches: Array(results.dropLast()), pointwise: kinds.map { $0 == .vanilla ? nil : centred.next() },
            merged: results[kinds.count])
        return EquivalenceProbe.check(
            module: module, probe: probe, dtype: dtype, geometry: geometry, options: options, convolved: convolved)
    }
}
