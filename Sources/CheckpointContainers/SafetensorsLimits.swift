/// Bounds on what a safetensors header may declare, so nothing read from an untrusted file is trusted
/// before it is checked. The defaults pass any real file.
public struct SafetensorsLimits: Sendable, Equatable {
    /// Largest JSON header, in bytes: the reference implementation's `MAX_HEADER_SIZE` (100,000,000).
    public var maxHeaderBytes: Int = 100_000_000
    /// Deepest nesting of JSON arrays and objects (a valid header nests 3 deep).
    public var maxJSONDepth: Int = 64
    /// Most tensors one header may declare.
    public var maxTensors: Int = 4_000_000
    /// Most dimensions of one tensor.
    public var maxDimensions: Int = 64

    /// The default limits.
    public init() {}

    /// The default limits.
    public static let standard = SafetensorsLimits()
}
