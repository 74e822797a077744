/// A convolution's learned parameters: a weight `[out, in / groups, kh, kw]` and an optional
/// bias with one value per output channel.
///
/// `Conv2D.forward(_:filters:geometry:options:)` applies several filters to one input, packing the
/// input once: the DAConv check convolves each probe with the attention weight, the difference
/// weight and the merged weight under one geometry.
public struct ConvFilter<Scalar> {
    /// The kernel weights.
    public var weight: Tensor4<Scalar>
    /// One value per output channel, or nil for no bias.
    public var bias: [Scalar]?

    /// A filter from its weight and optional bias (checked when used, against the input).
    public init(weight: Tensor4<Scalar>, bias: [Scalar]? = nil) {
        self.weight = weight
        self.bias = bias
    }
}

extension ConvFilter: Equatable where Scalar: Equatable {}
extension ConvFilter: Sendable where Scalar: Sendable {}
