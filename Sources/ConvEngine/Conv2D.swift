/// 2-d convolution exactly as torch's `conv2d` defines it, computed natively.
///
/// The DAConv check runs real convolutions on probe inputs (the DAConv branches in `Double`, the
/// merged layer as stored), so this is the verifier's hot path: the input is packed once (im2col
/// straight into the multiply's panel layout) and multiplied by each weight with a cache-blocked,
/// register-tiled kernel (AVX2+FMA when the CPU has them, chosen at run time) on all cores.
///
/// Shapes may come from untrusted files: every inconsistency throws a `ConvError`, and nothing
/// is allocated before the sizes are validated against `ConvLimits`.
public enum Conv2D {
    /// `input` `[N, C, H, W]` convolved with `weight` `[O, C / groups, kh, kw]`, plus `bias` (one
    /// value per output channel) if given: `[N, O, Ho, Wo]`.
    public static func forward<Scalar: ConvScalar>(
        _ input: Tensor4<Scalar>, weight: Tensor4<Scalar>, bias: [Scalar]? = nil,
        geometry: ConvGeometry = ConvGeometry(), options: ConvOptions = ConvOptions()
    ) throws -> Tensor4<Scalar> {
        let shape = try ConvShape(input: input.shape, weight: weight.shape, geometry: geometry)
        try checkBias(bias, of: shape)
        return run(input, filters: [ConvFilter(weight: weight, bias: bias)], shapes: [shape], options: options)[0]
    }

    /// `input` convolved with each filter under one geometry, packing the input once; the
    /// results are in filter order. The filters must share their kernel shape
    /// (`[_, C / groups, kh, kw]`); their output channel counts may differ.
    ///
    /// Errors found in filter `i` are wrapped as `ConvError.inFilter(index: i, error:)`.
    public static func forward<Scalar: ConvScalar>(
        _ input: Tensor4<Scalar>, filters: [ConvFilter<Scalar>],
        geometry: ConvGeometry = ConvGeometry(), options: ConvOptions = ConvOptions()
    ) throws -> [Tensor4<Scalar>] {
        let shapes = try validatedShapes(input: input.shape, filters: filters, geometry: geometry)
        return run(input, filters: filters, shapes: shapes, options: options)
    }

    /// The arithmetic kernels this CPU runs: "avx2+fma" (x86-64 with AVX2 and FMA) or
    /// "portable" (plain C); for reports and benchmarks.
    public static var kernelName: String { ConvKernelCalls.bestKernels }

    /// Frees the scratch memory kept between convolutions (up to 64 MiB; see `ConvOptions`).
    /// The next convolution allocates afresh.
    public static func releaseScratchMemory() {
        ConvScratchCache.shared.release()
    }

    /// The shape of every filter's convolution, after checking that the filters share their kernel
    /// and fit the input; errors in filter `i` are wrapped as `ConvError.inFilter(index: i, error:)`.
    static func validatedShapes<Weight>(
        input: Shape4, filters: [ConvFilter<Weight>], geometry: ConvGeometry
    ) throws -> [ConvShape] {
        guard let first = filters.first?.weight.shape else { throw ConvError.noFilters }
        var shapes: [ConvShape] = []
        for (index, filter) in filters.enumerated() {
            let kernel = filter.weight.shape
            guard (kernel.c, kernel.h, kernel.w) == (first.c, first.h, first.w) else {
                throw ConvError.filterKernelMismatch(index: index, expected: first, actual: kernel)
            }
            do {
                let shape = try ConvShape(input: input, weight: kernel, geometry: geometry)
                try checkBias(filter.bias, of: shape)
                shapes.append(shape)
            } catch let error as ConvError {
                throw ConvError.inFilter(index: index, error: error)
            }
        }
        return shapes
    }

    static func checkBias<Bias>(_ bias: [Bias]?, of shape: ConvShape) throws {
        if let bias, bias.count != shape.output.c {
            throw ConvError.biasCountMismatch(expected: shape.output.c, actual: bias.count)
        }
    }

    /// Plans and runs validated filters: weights of the input's type, or `Float` weights under
    /// `Double` arithmetic.
    static func run<Scalar: ConvScalar, Weight: ConvScalar>(
        _ input: Tensor4<Scalar>, filters: [ConvFilter<Weight>], shapes: [ConvShape], options: ConvOptions
    ) -> [Tensor4<Scalar>] {
        let precision = Scalar.convPrecision
        let plan = ConvPlan(
            shapes: shapes, precision: precision,
            traits: ConvKernelCalls.traits(
                for: precision, columns: shapes[0].columnCount,
                layout: options.tuning.panelLayout),
            options: options)
        if let doubles = input.scalars as? [Double], let taps = tapPlan(plan, options: options) {
            let outputs = ConvTapInput(plan: taps, shape: shapes[0], input: doubles).run(
                filters: filters, shapes: shapes, threads: plan.threads, portable: plan.portableKernels)
            return zip(shapes, outputs).map { Tensor4(validatedShape: $0.output, scalars: $1 as! [Scalar]) }
        }
        let outputs = ConvKernelCalls.run(plan, input: input.scalars, filters: filters)
        return zip(shapes, outputs).map { Tensor4(validatedShape: $0.output, scalars: $1) }
    }

    /// The tap-list plan for a float64 convolution when it is worth using: it skips at least a fifth of the
    /// dense multiply's products (padding zeros) and fits the packed-input budget; or as the tuning says.
    static func tapPlan(_ plan: ConvPlan, options: ConvOptions) -> ConvTapPlan? {
        guard plan.precision == .float64, options.tuning.tapPanels != false,
            let taps = ConvTapPlan(
                shape: plan.shapes[0], depthBlock: plan.depthBlock, denseWidth: plan.traits.microColumns,
                budget: min(options.packedInputBudget, ConvOptions.maxPackedInputBudget))
        else { return nil }
        return options.tuning.tapPanels == true || 5 * taps.products <= 4 * taps.denseProducts ? taps : nil
    }
}
