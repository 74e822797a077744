/// A float64 convolution of one input with filters whose weights arrive a block of output channels at a time.
///
/// A merge folds a layer a few output channels at a time; multiplying each block of the branches' and the
/// folded weights as soon as it exists reads them while they are still in cache, where converting and
/// packing weights that come back from memory costs three times as much. The input is packed once, for the
/// tap-list multiply (`ConvTapPlan`), so the outputs are bit for bit those of `Conv2D.forward` on the whole
/// weights, whatever the blocks.
public final class RowBlockConvolution<Weight: ConvScalar> {
    private let input: ConvTapInput
    private let filterShape: ConvShape
    private let portable: Bool
    private var outputs: [[Double]]
    private var workspace: [Double] = []

    /// A convolution of `input` with `filters` filters of `weightShape`; nil when the input cannot be packed
    /// for the tap-list multiply within the options' packed-input budget (then use `Conv2D.forward`).
    public init?(
        input: Tensor4<Double>, weightShape: Shape4, geometry: ConvGeometry, filters: Int, options: ConvOptions = ConvOptions()
    ) throws {
        let shape = try ConvShape(input: input.shape, weight: weightShape, geometry: geometry)
        let plan = ConvPlan(
            shapes: [shape], precision: .float64,
            traits: ConvKernelCalls.traits(for: .float64, columns: shape.columnCount, layout: options.tuning.panelLayout),
            options: options)
        guard
            let taps = ConvTapPlan(
                shape: shape, depthBlock: plan.depthBlock, denseWidth: plan.traits.microColumns,
                budget: min(options.packedInputBudget, ConvOptions.maxPackedInputBudget))
        else { return nil }
        self.input = ConvTapInput(plan: taps, shape: shape, input: input.scalars)
        filterShape = shape
        portable = plan.portableKernels
        outputs = Array(repeating: Array(repeating: 0, count: shape.output.elementCount!), count: filters)
    }

    /// Output channels `rows` of filter `filter`: `weights` holds exactly those channels' weights, `bias`
    /// (if any) every channel's. Each channel must be multiplied once.
    public func multiply(filter: Int, rows: Range<Int>, weights: ArraySlice<Weight>, bias: [Weight]?) {
        let fanIn = filterShape.fanIn
        let groupRows = filterShape.output.c / filterShape.geometry.groups
        precondition(rows.lowerBound >= 0 && rows.upperBound <= filterShape.output.c, "rows of the filter")
        precondition(
            weights.count == rows.count * fanIn && (bias?.count ?? filterShape.output.c) == filterShape.output.c,
            "the rows' weights")
        let needed = input.workspaceDoubles(rows: min(rows.count, groupRows))
        if workspace.count < needed { workspace = Array(repeating: 0, count: needed) }
        var row = rows.lowerBound
        while row < rows.upperBound {
            let group = row / groupRows
            let end = min(rows.upperBound, (group + 1) * groupRows)
            let first = weights.startIndex + (row - rows.lowerBound) * fanIn
            input.multiply(
                filterShape: filterShape, weights: weights[first..<(first + (end - row) * fanIn)], bias: bias, group: group,
                rows: (row - group * groupRows)..<(end - group * groupRows), into: &outputs[filter], workspace: &workspace,
                portable: portable)
            row = end
        }
    }

    /// Every filter's output, `[N, O, Ho, Wo]`.
    public var results: [Tensor4<Double>] {
        outputs.map { Tensor4(validatedShape: filterShape.output, scalars: $0) }
    }
}
