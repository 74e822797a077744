/// Convolutions of a `Double` input with `Float` weights, computed in `Double`.
///
/// Checkpoints store weights in float32 while the DAConv check computes in float64. Converting a
/// 512 x 512 x 3 x 3 weight to `[Double]` first writes a fresh 19 MB array (page faults, memory
/// traffic) that the engine then reads once to pack it again; here each weight is converted
/// exactly (float to double is exact) while it is packed, so no double copy exists. The
/// arithmetic is the `Double` engine's, value for value: results are bit-identical to
/// converting the weights (and biases) to `Double` and calling the `Double` overloads.
extension Conv2D {
    /// `input` `[N, C, H, W]` convolved with the float32 `weight` `[O, C / groups, kh, kw]`, plus
    /// `bias` if given, in float64: `[N, O, Ho, Wo]`.
    public static func forward(
        _ input: Tensor4<Double>, weight: Tensor4<Float>, bias: [Float]? = nil,
        geometry: ConvGeometry = ConvGeometry(), options: ConvOptions = ConvOptions()
    ) throws -> Tensor4<Double> {
        let shape = try ConvShape(input: input.shape, weight: weight.shape, geometry: geometry)
        try checkBias(bias, of: shape)
        return run(input, filters: [ConvFilter(weight: weight, bias: bias)], shapes: [shape], options: options)[0]
    }

    /// `input` convolved in float64 with each float32 filter under one geometry, packing the input
    /// once; the results are in filter order. Same rules and errors as the single-precision
    /// `forward(_:filters:geometry:options:)`: shared kernel shape, errors in filter `i` wrapped
    /// as `ConvError.inFilter(index: i, error:)`.
    public static func forward(
        _ input: Tensor4<Double>, filters: [ConvFilter<Float>],
        geometry: ConvGeometry = ConvGeometry(), options: ConvOptions = ConvOptions()
    ) throws -> [Tensor4<Double>] {
        let shapes = try validatedShapes(input: input.shape, filters: filters, geometry: geometry)
        return run(input, filters: filters, shapes: shapes, options: options)
    }
}
