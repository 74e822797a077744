import CheckpointContainers

/// Names a tensor of a draft whose bytes are computed while the file is written: a merged DAConv's weight or
/// bias, the `index`-th of the caller's plan. The draft holds only the name; the writer asks the source it is
/// given for the bytes when it reaches the tensor, so nothing is swapped into a plan after planning.
public struct ComputedTensorID: Hashable, Sendable, CustomStringConvertible {
    public enum Part: String, Sendable {
        case weight, bias
    }

    /// Which of the caller's computations (a merge plan's fold).
    public let index: Int
    public let part: Part

    public init(index: Int, part: Part) {
        self.index = index
        self.part = part
    }

    public var description: String { "computed \(part.rawValue) \(index)" }
}

/// Computes the bytes of a draft's computed tensors when a writer reaches them (in the draft's tree order),
/// little-endian, exactly `elements * element size` of them.
public protocol ComputedTensorSource: Sendable {
    func bytes(of tensor: ComputedTensorID) throws -> RecordBytes
}
