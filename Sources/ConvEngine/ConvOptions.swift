import Foundation

/// How the convolution engine may use the machine: threads and memory.
public struct ConvOptions: Sendable, Equatable {
    /// Worker threads (at least 1 is used). Defaults to the number of active processors.
    public var threads: Int
    /// Bytes of packed input (im2col) held at once; larger problems are processed in chunks of
    /// output pixels. At least one panel (fan-in x 8 or 16 values) is always held, whatever
    /// this says; values above `maxPackedInputBudget` count as that. Default 32 MiB: a
    /// 512-channel 3x3 probe of 2 x 16 x 16 fits in one chunk. The memory (if 64 MiB or less) is
    /// kept for the next convolution, since faulting in fresh pages each time costs more than the
    /// packing; `Conv2D.releaseScratchMemory()` frees it.
    public var packedInputBudget: Int
    /// The largest budget honoured (1 TiB), so buffer sizes derived from it cannot overflow.
    public static let maxPackedInputBudget = 1 << 40
    /// Block sizes and kernel choice, settable by tests to reach every code path.
    var tuning = ConvTuning()

    /// Options with the given thread count and memory budget.
    public init(threads: Int = ConvOptions.defaultThreads, packedInputBudget: Int = 32 << 20) {
        self.threads = threads
        self.packedInputBudget = packedInputBudget
    }

    /// The number of active processors.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// Cache-blocking sizes and kernel selection. The defaults were measured on an AMD EPYC (Zen 3,
/// 32 KiB L1d, 512 KiB L2): a kc x NR column panel stays in L1 and an mc x kc weight block in L2.
struct ConvTuning: Sendable, Equatable {
    /// Depth (kernel taps) per cache block; nil for the default of the scalar type.
    var depthBlock: Int?
    /// Maximum output channels per task; nil for the default of the scalar type.
    var rowBlock: Int?
    /// Use the plain C kernels even when AVX2+FMA are available (tests compare both).
    var portableKernels = false
    /// The float64 panel layout; nil: the one that wastes the fewest columns (tests compare both).
    var panelLayout: ConvPanelLayout?
    /// float64 only: multiply over the taps each output pixel meets (`ConvTapPlan`) when true (and the
    /// plan exists), never when false; nil: when that skips a fifth of the dense multiply's products.
    var tapPanels: Bool?
}
