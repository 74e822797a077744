/// A dense 4-d tensor in torch's row-major layout: the operand and result type of `Conv2D`.
///
/// Deliberately minimal (a shape and a flat array): the engine needs nothing more, and callers
/// convert to and from checkpoint tensors themselves.
public struct Tensor4<Scalar> {
    /// The tensor's shape.
    public let shape: Shape4
    /// The elements, row-major (`[n][c][h][w]`); always exactly `shape.elementCount` of them.
    public private(set) var scalars: [Scalar]

    /// A tensor from its shape and its row-major elements.
    /// Throws `ConvError.scalarCountMismatch` unless `scalars.count` is the shape's element count.
    public init(shape: Shape4, scalars: [Scalar]) throws {
        guard shape.elementCount == scalars.count else {
            throw ConvError.scalarCountMismatch(shape: shape, count: scalars.count)
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// For the engine, which has validated the count already.
    init(validatedShape shape: Shape4, scalars: [Scalar]) {
        precondition(shape.elementCount == scalars.count, "engine produced a wrongly sized tensor")
        self.shape = shape
        self.scalars = scalars
    }

    /// The element at `[n, c, h, w]`; traps when out of bounds, like an array subscript.
    public subscript(n: Int, c: Int, h: Int, w: Int) -> Scalar {
        get { scalars[offset(n, c, h, w)] }
        set { scalars[offset(n, c, h, w)] = newValue }
    }

    private func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        precondition(
            (0..<shape.n).contains(n) && (0..<shape.c).contains(c)
                && (0..<shape.h).contains(h) && (0..<shape.w).contains(w),
            "Tensor4 index [\(n), \(c), \(h), \(w)] out of bounds for \(shape)")
        return ((n * shape.c + c) * shape.h + h) * shape.w + w
    }
}

extension Tensor4: Equatable where Scalar: Equatable {}
extension Tensor4: Sendable where Scalar: Sendable {}
