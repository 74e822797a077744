/// How equivalence is probed: seeded random inputs, run through the DAConv and the merged conv.
public struct ProbeOptions: Sendable, Equatable {
    /// Inputs per probe (at least 2, so batch handling is exercised).
    public var batch = 2
    /// Square spatial size; nil picks the smallest size whose output has every border case and an interior
    /// position for the module's kernel, dilation and stride.
    public var size: Int?
    public var seed: UInt64 = 20_230_618
    /// Replaces the tolerance derived from dtype and weights when set.
    public var tolerance: Double?
    /// How the merged weights were computed, which sets the derived tolerance: `verify` accepts any merge by
    /// the natural formula; `merge` holds its own fold, rounded once, to a tighter bound.
    public var origin: MergedWeightsOrigin = .anyNaturalFold
    /// Threads each probe's convolutions may use; nil: every core. The merge pipeline probes several
    /// modules at once with one thread each, which keeps the cores busier than splitting small convolutions.
    public var threads: Int?

    public init(batch: Int = 2, size: Int? = nil, seed: UInt64 = 20_230_618, tolerance: Double? = nil) {
        self.batch = batch
        self.size = size
        self.seed = seed
        self.tolerance = tolerance
    }

    /// The default size: `dilation * (k - 1) + 1` gives outputs touching the top and bottom padding and one
    /// in between; `2 * stride + 1` keeps an interior output when the stride skips rows.
    func spatialSize(kernel: [Int], dilation: [Int], stride: [Int]) -> Int {
        if let size { return size }
        return (0..<2).map { max(dilation[$0] * (kernel[$0] - 1) + 1, 2 * stride[$0] + 1) }.max()!
    }
}
