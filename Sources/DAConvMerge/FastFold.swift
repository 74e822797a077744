/// The DAConv fold of float32 weights in one pass over memory, bit-identical to `DAConvFold`.
///
/// `DAConvFold.fold` is the reference: it works on `[Double]` copies of every branch and returns
/// `[Double]`, which the writer then rounds to float32. For a 512 x 512 x 3 x 3 layer that means
/// converting 2 x 9.4 MB of float32 to 2 x 19 MB of double, folding, and converting back. This reads
/// the float32 branch weights (as `[Float]`, or as the record's little-endian bytes at any offset)
/// and writes the float32 folded weight directly, with a C kernel (AVX2 where the CPU has it) that
/// performs each value's operations in the reference's order and precision:
/// per kernel the tap sum `((0.0 + w_0) + w_1) + ...` in tap order; the centre tap moved by `+ s`
/// (add) or `+ (-s)` (difference); `0.0 + g_0 * v_0`, then `+ g_1 * v_1`, ... in branch order; no
/// fused multiply-add; one rounding to float32 at the end. The results are therefore bit for bit
/// `DAConvFold.fold(...).weight.map(Float.init)` (NaNs stay NaN; their payload bits are not promised).
///
/// Shapes and sizes are the caller's to validate (`FoldabilityCheck` does, as for `DAConvFold`);
/// a weight whose size does not match `shape` is a broken invariant and traps.
public enum FastFold {
    /// One branch: its kind, its gate (the branch's scale, `sigmoid(theta)` or 1) and its float32
    /// weight `[out, in/groups, kh, kw]`, row-major.
    public struct Branch: Sendable {
        /// How the weight is transformed: moved by its tap sum at the centre (add, difference) or not.
        public var kind: DAConvRules.Kind
        /// The scale applied to the transformed weight.
        public var gate: Double
        /// `[out, in/groups, kh, kw]`, row-major.
        public var weight: [Float]

        /// A branch with an explicit gate.
        public init(kind: DAConvRules.Kind, gate: Double, weight: [Float]) {
            self.kind = kind
            self.gate = gate
            self.weight = weight
        }

        /// A branch whose gate is `sigmoid(theta)` (1 for nil), computed exactly as
        /// `DAConvFold.Branch.gate` computes it.
        public init(kind: DAConvRules.Kind, theta: Double?, weight: [Float]) {
            self.init(
                kind: kind, gate: DAConvFold.Branch(kind: kind, theta: theta, weight: [], bias: nil).gate,
                weight: weight)
        }
    }

    /// One branch whose weight is little-endian float32 bytes, as a checkpoint record stores them.
    /// A slice may start at any offset of its array: the kernel reads unaligned values.
    public struct ByteBranch: Sendable {
        /// How the weight is transformed: moved by its tap sum at the centre (add, difference) or not.
        public var kind: DAConvRules.Kind
        /// The scale applied to the transformed weight.
        public var gate: Double
        /// Four bytes per element, little-endian, row-major `[out, in/groups, kh, kw]`.
        public var bytes: ArraySlice<UInt8>

        /// A branch with an explicit gate.
        public init(kind: DAConvRules.Kind, gate: Double, bytes: ArraySlice<UInt8>) {
            self.kind = kind
            self.gate = gate
            self.bytes = bytes
        }

        /// A branch whose gate is `sigmoid(theta)` (1 for nil), as `DAConvFold.Branch.gate`.
        public init(kind: DAConvRules.Kind, theta: Double?, bytes: ArraySlice<UInt8>) {
            self.init(
                kind: kind, gate: DAConvFold.Branch(kind: kind, theta: theta, weight: [], bias: nil).gate,
                bytes: bytes)
        }
    }

    /// `sum_b g_b * T_b(W_b)` for weights of shape `[out, in/groups, kh, kw]` (kh, kw odd), rounded
    /// once to float32. `threads` workers fold disjoint runs of kernels (the loop is bound by memory
    /// bandwidth, so more than the core count gains nothing).
    public static func foldFloat32(branches: [Branch], shape: [Int], threads: Int = 1) -> [Float] {
        foldFloat32(branches: branches, shape: shape, threads: threads, vectorKernels: true)
    }

    /// The same fold over little-endian float32 bytes, returning little-endian float32 bytes:
    /// ready to be written as a checkpoint record, with no conversion on either side.
    public static func foldFloat32(branches: [ByteBranch], shape: [Int], threads: Int = 1) -> [UInt8] {
        foldFloat32(branches: branches, shape: shape, threads: threads, vectorKernels: true)
    }

    /// `foldFloat32` together with the statistics an equivalence probe needs of the same weights
    /// (``FoldStatistics``), taken in the same pass over memory. The weight is bit for bit `foldFloat32`'s.
    public static func foldFloat32WithStatistics(branches: [Branch], shape: [Int]) -> (
        weight: [Float], statistics: FoldStatistics
    ) {
        let layout = FoldLayout(shape: shape)
        for branch in branches {
            precondition(branch.weight.count == layout.elements, "branch weights have the module's shape")
        }
        return FastFoldKernelCalls.foldWithStatistics(
            branches.map(\.weight), gates: branches.map(\.gate), kinds: branches.map(\.kind), layout: layout, rows: shape[0])
    }

    /// One block of output channels of ``foldFloat32ByRowBlocks(branches:shape:rowsPerBlock:read:use:)``, while
    /// it is in cache.
    public struct FoldedRows {
        public let rows: Range<Int>
        /// Each branch's weights of the block's channels, `in/groups * kh * kw` values per channel.
        public let branches: [ArraySlice<Float>]
        /// Each branch's tap sums of the block's kernels, `in/groups` per channel (as `FoldStatistics.tapSums`).
        public let tapSums: [ArraySlice<Double>]
        /// The folded weights of the block's channels.
        public let merged: ArraySlice<Float>
    }

    /// ``foldFloat32WithStatistics(branches:shape:)`` with the branch weights arriving `rowsPerBlock` output
    /// channels at a time: `read` puts the block's rows of every branch at the start of its buffer (`rows.count
    /// * in/groups * kh * kw` values), the block is folded, and `use` sees it before the next block is read.
    /// The weight and the norms of the statistics are that function's bit for bit; the tap sums are only
    /// given to `use` (the returned statistics have none).
    public static func foldFloat32ByRowBlocks(
        branches: [(kind: DAConvRules.Kind, gate: Double)], shape: [Int], rowsPerBlock: Int,
        read: (_ rows: Range<Int>, _ buffers: inout [[Float]]) throws -> Void, use: (FoldedRows) -> Void
    ) rethrows -> (weight: [Float], statistics: FoldStatistics) {
        precondition(rowsPerBlock > 0, "blocks of output channels")
        return try FastFoldKernelCalls.foldByRowBlocks(
            kinds: branches.map(\.kind), gates: branches.map(\.gate), layout: FoldLayout(shape: shape),
            outputChannels: shape[0], rowsPerBlock: rowsPerBlock, read: read, use: use)
    }

    /// The kernels this CPU runs the fold with: "avx2" or "portable" (plain C).
    public static var kernelName: String { FastFoldKernelCalls.vectorKernelsAvailable ? "avx2" : "portable" }

    /// `foldFloat32` with a choice of kernels: `vectorKernels: false` forces the plain C ones
    /// (tests compare both).
    static func foldFloat32(branches: [Branch], shape: [Int], threads: Int, vectorKernels: Bool) -> [Float] {
        let layout = FoldLayout(shape: shape)
        for branch in branches {
            precondition(branch.weight.count == layout.elements, "branch weights have the module's shape")
        }
        return FastFoldKernelCalls.fold(
            branches.map(\.weight), gates: branches.map(\.gate),
            kinds: branches.map(\.kind), layout: layout, outputCount: layout.elements,
            threads: threads, vectorKernels: vectorKernels)
    }

    /// `foldFloat32` over bytes with a choice of kernels.
    static func foldFloat32(branches: [ByteBranch], shape: [Int], threads: Int, vectorKernels: Bool) -> [UInt8] {
        let layout = FoldLayout(shape: shape)
        for branch in branches {
            precondition(branch.bytes.count == layout.elements * 4, "branch weights have the module's shape")
        }
        return FastFoldKernelCalls.fold(
            branches.map(\.bytes), gates: branches.map(\.gate),
            kinds: branches.map(\.kind), layout: layout, outputCount: layout.elements * 4,
            threads: threads, vectorKernels: vectorKernels)
    }
}

/// A weight `[out, in/groups, kh, kw]` seen as the fold sees it: kernels of `taps` values each.
struct FoldLayout: Equatable {
    /// `out * in/groups`.
    let kernels: Int
    /// `kh * kw`.
    let taps: Int
    /// The centre tap's index in a kernel: row kh / 2, column kw / 2.
    let centre: Int

    /// The layout of a validated shape; traps on a shape `FoldabilityCheck` would have refused.
    init(shape: [Int]) {
        precondition(
            shape.count == 4 && shape.allSatisfy { $0 >= 0 } && shape[2] % 2 == 1 && shape[3] % 2 == 1,
            "checked by FoldabilityCheck")
        let (taps, tapsOverflow) = shape[2].multipliedReportingOverflow(by: shape[3])
        let (kernels, kernelsOverflow) = shape[0].multipliedReportingOverflow(by: shape[1])
        let (elements, elementsOverflow) = kernels.multipliedReportingOverflow(by: taps)
        precondition(
            !tapsOverflow && !kernelsOverflow && !elementsOverflow && elements <= Int.max / 4,
            "weight size checked by FoldabilityCheck")
        self.kernels = kernels
        self.taps = taps
        centre = (shape[2] / 2) * shape[3] + shape[3] / 2
    }

    /// Values in the weight.
    var elements: Int { kernels * taps }
}

/// What a probe needs of a module's weights besides the weights, taken while folding them: every branch's
/// kernel tap sums (its 1x1 reference kernel), every branch's and the folded weight's per-output-channel
/// sum of magnitudes, and the folded weight's per-output-channel Euclidean norm. Each value is computed
/// as the separate reductions compute it (tap sums in tap order, norms over eight lanes), so they agree
/// bit for bit.
public struct FoldStatistics: Sendable, Equatable {
    /// Per branch: `out * in/groups` sums, kernel order; none when the fold went by row blocks (its user had
    /// them block by block).
    public var tapSums: [[Double]]
    /// Per branch: `out` sums of `|w|`.
    public var branchL1: [[Double]]
    /// The folded weight: `out` Euclidean norms.
    public var mergedL2: [Double]
    /// The folded weight: `out` sums of `|w|`.
    public var mergedL1: [Double]
}
