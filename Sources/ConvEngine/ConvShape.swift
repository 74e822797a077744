/// A validated convolution problem: input and weight shapes, geometry, and the output shape they
/// give under torch's definition.
///
/// Building one is the single place where untrusted shapes are checked; everything downstream
/// (planning, packing, the C kernels) relies on its invariants: all extents in range, element
/// counts bounded, channels divisible by groups, a non-empty output.
public struct ConvShape: Hashable, Sendable {
    /// `[batch, channels, height, width]` of the input.
    public let input: Shape4
    /// `[out channels, in channels per group, kernel height, kernel width]` of the weight.
    public let weight: Shape4
    /// Stride, padding, dilation, groups.
    public let geometry: ConvGeometry
    /// `[batch, out channels, out height, out width]`.
    public let output: Shape4

    /// Checks the shapes against each other and `ConvLimits`, then computes the output shape:
    /// `out = (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1` per axis.
    public init(input: Shape4, weight: Shape4, geometry: ConvGeometry) throws {
        try geometry.validate()
        _ = try input.validatedCount(of: .input)
        _ = try weight.validatedCount(of: .weight)
        let groups = geometry.groups
        guard input.c % groups == 0 else {
            throw ConvError.channelsNotDivisibleByGroups(.input, channels: input.c, groups: groups)
        }
        guard weight.n % groups == 0 else {
            throw ConvError.channelsNotDivisibleByGroups(.weight, channels: weight.n, groups: groups)
        }
        guard weight.c * groups == input.c else {
            throw ConvError.weightChannelMismatch(weightChannels: weight.c, groups: groups, inputChannels: input.c)
        }
        let fanIn = weight.c * weight.h * weight.w  // each factor <= 2^24 and the product <= maxElements
        guard fanIn <= ConvLimits.maxFanIn else {
            throw ConvError.fanInTooLarge(fanIn: fanIn, limit: ConvLimits.maxFanIn)
        }
        let height = try Self.outputExtent(.height, input.h, weight.h, geometry)
        let width = try Self.outputExtent(.width, input.w, weight.w, geometry)
        let output = Shape4(input.n, weight.n, height, width)
        guard let count = output.elementCount, count <= ConvLimits.maxElements else {
            throw ConvError.tooManyElements(.output, limit: ConvLimits.maxElements)
        }
        self.input = input
        self.weight = weight
        self.geometry = geometry
        self.output = output
    }

    /// The output size along one axis. All operands are at most 2^24, so nothing here overflows.
    private static func outputExtent(
        _ axis: ConvAxis, _ size: Int, _ kernel: Int,
        _ geometry: ConvGeometry
    ) throws -> Int {
        let padded = size + 2 * geometry.padding[axis]
        let extent = geometry.dilation[axis] * (kernel - 1) + 1
        guard extent <= padded else {
            throw ConvError.kernelLargerThanInput(axis, paddedInput: padded, kernelExtent: extent)
        }
        return (padded - extent) / geometry.stride[axis] + 1
    }

    /// Products summed per output value: input channels per group x kernel height x kernel width.
    public var fanIn: Int { weight.c * weight.h * weight.w }

    /// Output pixels over the whole batch: the columns of the convolution's matrix product.
    var columnCount: Int { output.n * output.h * output.w }
}
