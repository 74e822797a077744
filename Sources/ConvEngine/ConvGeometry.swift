/// A value per spatial axis (height, width), as torch's `conv2d` takes its stride, padding and
/// dilation. An integer literal sets both axes.
public struct ConvPair: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The value along the height axis.
    public var height: Int
    /// The value along the width axis.
    public var width: Int

    /// Different values per axis.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The same value on both axes.
    public init(_ both: Int) {
        self.init(height: both, width: both)
    }

    /// The same value on both axes, from a literal: `padding: 1`.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// The value along `axis`.
    public subscript(axis: ConvAxis) -> Int {
        axis == .height ? height : width
    }

    /// `(h, w)`.
    public var description: String { "(\(height), \(width))" }
}

/// How a 2-d convolution slides its kernel, with torch's meaning: zero padding on both sides of
/// each axis, stride and dilation per axis, and `groups` independent channel groups.
public struct ConvGeometry: Hashable, Sendable, CustomStringConvertible {
    /// Step between output pixels, in input pixels.
    public var stride: ConvPair
    /// Zeros added before and after the input along each axis.
    public var padding: ConvPair
    /// Spacing between kernel taps, in input pixels.
    public var dilation: ConvPair
    /// Number of channel groups; each group's output channels see only that group's input channels.
    public var groups: Int

    /// A geometry; the defaults are torch's (stride 1, padding 0, dilation 1, one group).
    public init(stride: ConvPair = 1, padding: ConvPair = 0, dilation: ConvPair = 1, groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// Throws `ConvError.geometryOutOfRange` for the first value outside its range.
    func validate() throws {
        let limit = ConvLimits.maxExtent
        for axis in [ConvAxis.height, .width] {
            if !(1...limit).contains(stride[axis]) {
                throw ConvError.geometryOutOfRange(.stride, axis: axis, value: stride[axis])
            }
            if !(0...limit).contains(padding[axis]) {
                throw ConvError.geometryOutOfRange(.padding, axis: axis, value: padding[axis])
            }
            if !(1...limit).contains(dilation[axis]) {
                throw ConvError.geometryOutOfRange(.dilation, axis: axis, value: dilation[axis])
            }
        }
        if !(1...limit).contains(groups) {
            throw ConvError.geometryOutOfRange(.groups, axis: nil, value: groups)
        }
    }

    /// `stride=(h, w) padding=(h, w) dilation=(h, w) groups=g`.
    public var description: String {
        "stride=\(stride) padding=\(padding) dilation=\(dilation) groups=\(groups)"
    }
}
