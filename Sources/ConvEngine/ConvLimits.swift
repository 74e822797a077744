/// Explicit bounds on what the convolution engine accepts, checked before anything is allocated.
///
/// Shapes come from untrusted files; these limits make every size computation provably free of
/// overflow (`maxExtent` squared fits easily in 64 bits) and cap the memory a request can cost.
/// They are far above any real layer or probe.
public enum ConvLimits {
    /// Largest tensor dimension, stride, padding, dilation or group count: 2^24.
    public static let maxExtent = 1 << 24
    /// Largest input, weight or output tensor, in elements: 2^30 (8 GiB of `Double`).
    public static let maxElements = 1 << 30
    /// Largest fan-in (input channels per group x kernel height x kernel width): 2^20.
    /// It bounds the smallest unit of packed input the engine must hold at once
    /// (fan-in x 8 or 16 columns), whatever the memory budget.
    public static let maxFanIn = 1 << 20
}
