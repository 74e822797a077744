/// The shape of a 4-d tensor as torch lays it out for convolutions (row-major, last axis fastest).
///
/// For an input or output it is `[batch, channels, height, width]` (NCHW); for a weight it is
/// `[output channels, input channels per group, kernel height, kernel width]`. The field names
/// follow the NCHW reading.
public struct Shape4: Hashable, Sendable, CustomStringConvertible {
    /// Dimension 0: batch size, or a weight's output channels.
    public var n: Int
    /// Dimension 1: channels, or a weight's input channels per group.
    public var c: Int
    /// Dimension 2: height, or a weight's kernel height.
    public var h: Int
    /// Dimension 3: width, or a weight's kernel width.
    public var w: Int

    /// A shape from its four dimensions, outermost first.
    public init(_ n: Int, _ c: Int, _ h: Int, _ w: Int) {
        self.n = n
        self.c = c
        self.h = h
        self.w = w
    }

    /// The dimensions, outermost first.
    public var dimensions: [Int] { [n, c, h, w] }

    /// The number of elements, or nil if a dimension is negative or the product overflows `Int`.
    public var elementCount: Int? {
        var count = 1
        for dimension in dimensions {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Throws unless every dimension is in `1...ConvLimits.maxExtent` and the element count is
    /// at most `ConvLimits.maxElements`; returns the element count.
    func validatedCount(of operand: ConvOperand) throws -> Int {
        for (index, value) in dimensions.enumerated() where !(1...ConvLimits.maxExtent).contains(value) {
            throw ConvError.extentOutOfRange(operand, dimension: index, value: value)
        }
        guard let count = elementCount, count <= ConvLimits.maxElements else {
            throw ConvError.tooManyElements(operand, limit: ConvLimits.maxElements)
        }
        return count
    }

    /// `[n, c, h, w]`.
    public var description: String { "[\(n), \(c), \(h), \(w)]" }
}
