/// Everything that can be wrong with a convolution request.
///
/// Shapes reach the convolution engine from untrusted checkpoints, so every inconsistency is
/// reported (never trapped on) and each case names the operand, the axis and the values at
/// fault. Cases are `Equatable` so tests can assert the exact failure.
public enum ConvError: Error, Equatable, CustomStringConvertible {
    /// Dimension `dimension` (0 to 3) of `operand` is zero, negative or above
    /// `ConvLimits.maxExtent`.
    case extentOutOfRange(ConvOperand, dimension: Int, value: Int)
    /// A `Tensor4` was given a number of scalars other than its shape's element count.
    case scalarCountMismatch(shape: Shape4, count: Int)
    /// The element count of `operand` overflows or exceeds `limit` (`ConvLimits.maxElements`).
    case tooManyElements(ConvOperand, limit: Int)
    /// Input channels per group times kernel height times kernel width exceeds `ConvLimits.maxFanIn`.
    case fanInTooLarge(fanIn: Int, limit: Int)
    /// A stride, padding, dilation or group count is out of range (stride, dilation and groups
    /// must be 1 or more, padding 0 or more, all at most `ConvLimits.maxExtent`).
    case geometryOutOfRange(ConvParameter, axis: ConvAxis?, value: Int)
    /// `operand`'s channel count (input channels or output channels) is not a multiple of the
    /// group count.
    case channelsNotDivisibleByGroups(ConvOperand, channels: Int, groups: Int)
    /// The weight's input channels times the group count is not the input's channel count.
    case weightChannelMismatch(weightChannels: Int, groups: Int, inputChannels: Int)
    /// Along `axis` the dilated kernel is larger than the padded input: no output pixel.
    case kernelLargerThanInput(ConvAxis, paddedInput: Int, kernelExtent: Int)
    /// The bias does not have one value per output channel.
    case biasCountMismatch(expected: Int, actual: Int)
    /// A multi-filter convolution was asked for with no filter at all.
    case noFilters
    /// Filter `index` of a multi-filter convolution has a different kernel (input channels,
    /// height, width) than filter 0, so the filters cannot share one packed input.
    case filterKernelMismatch(index: Int, expected: Shape4, actual: Shape4)
    /// The error `error` was found in filter `index` of a multi-filter convolution.
    indirect case inFilter(index: Int, error: ConvError)

    /// One line naming what is wrong and where.
    public var description: String {
        switch self {
        case .extentOutOfRange(let operand, let dimension, let value):
            return "\(operand) dimension \(dimension) is \(value); expected 1...\(ConvLimits.maxExtent)"
        case .scalarCountMismatch(let shape, let count):
            return "a tensor of shape \(shape) was given \(count) scalars"
        case .tooManyElements(let operand, let limit):
            return "\(operand) would have more than \(limit) elements"
        case .fanInTooLarge(let fanIn, let limit):
            return "fan-in (input channels per group x kernel area) is \(fanIn); at most \(limit) is supported"
        case .geometryOutOfRange(let parameter, let axis, let value):
            let place = axis.map { " (\($0))" } ?? ""
            return "\(parameter)\(place) is \(value); expected \(parameter.validRange)"
        case .channelsNotDivisibleByGroups(let operand, let channels, let groups):
            return "\(operand) has \(channels) channels, not a multiple of groups=\(groups)"
        case .weightChannelMismatch(let weightChannels, let groups, let inputChannels):
            return "weight has \(weightChannels) input channels x groups=\(groups), "
                + "but the input has \(inputChannels) channels"
        case .kernelLargerThanInput(let axis, let paddedInput, let kernelExtent):
            return "\(axis): dilated kernel extent \(kernelExtent) exceeds padded input size \(paddedInput)"
        case .biasCountMismatch(let expected, let actual):
            return "bias has \(actual) values; expected one per output channel (\(expected))"
        case .noFilters:
            return "no filters were given to convolve with"
        case .filterKernelMismatch(let index, let expected, let actual):
            return "filter \(index) has weight shape \(actual); its kernel must match filter 0's \(expected)"
        case .inFilter(let index, let error):
            return "filter \(index): \(error)"
        }
    }
}

/// The tensors of a convolution, to say which one an error is about.
public enum ConvOperand: String, Equatable, Sendable, CustomStringConvertible {
    /// The `[N, C, H, W]` tensor convolved.
    case input
    /// The `[O, C / groups, kh, kw]` kernel weights.
    case weight
    /// The per-output-channel bias.
    case bias
    /// The `[N, O, Ho, Wo]` result.
    case output
    /// The operand's name.
    public var description: String { rawValue }
}

/// The geometry parameters of a convolution, to say which one an error is about.
public enum ConvParameter: String, Equatable, Sendable, CustomStringConvertible {
    /// Step between output pixels.
    case stride
    /// Zeros added on both sides.
    case padding
    /// Spacing between kernel taps.
    case dilation
    /// Number of channel groups.
    case groups
    /// The parameter's name.
    public var description: String { rawValue }

    /// The accepted values, for messages.
    var validRange: String {
        switch self {
        case .padding: return "0...\(ConvLimits.maxExtent)"
        case .stride, .dilation, .groups: return "1...\(ConvLimits.maxExtent)"
        }
    }
}

/// A spatial axis of a 2-d convolution.
public enum ConvAxis: String, Equatable, Sendable, CustomStringConvertible {
    /// Dimension 2 of NCHW tensors.
    case height
    /// Dimension 3 of NCHW tensors.
    case width
    /// The axis name.
    public var description: String { rawValue }
}
