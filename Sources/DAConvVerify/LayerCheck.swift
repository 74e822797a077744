import DAConvMerge
import TorchCheckpoint

/// The numeric evidence that one merged layer computes what its DAConv computed.
public struct LayerCheck: Sendable, Equatable {
    public let module: String
    public let kernel: [Int]
    public let dtype: TorchDType
    /// Geometry the probe used, and where it came from.
    public let stride: [Int]
    public let dilation: [Int]
    public let groups: Int
    public let geometrySource: GeometrySource
    /// Probe input shape `[N, C, H, W]`.
    public let probeShape: [Int]
    /// Largest `|merged - reference|` over all outputs.
    public let maxAbsError: Double
    /// `maxAbsError / max |reference|`.
    public let maxRelError: Double
    /// The bound `maxAbsError` is held to (absolute, in output units).
    public let tolerance: Double
    /// How the tolerance was set, for the report.
    public let toleranceRule: String
    public let passed: Bool
    /// `maxAbsError / tolerance`: how close the layer came to failing (1 is the limit), so a near miss is
    /// visible before it turns into a failure.
    public var margin: Double {
        if tolerance > 0 { return maxAbsError / tolerance }
        return maxAbsError == 0 ? 0 : .infinity
    }
    /// Why the layer could not be checked, when it could not (then `passed` is false).
    public let problem: String?

    public enum GeometrySource: String, Sendable {
        /// Read from a whole pickled model.
        case pickledModel = "pickled model"
        /// A state_dict stores no geometry: stride 1, dilation 1, one group of `in/groups` channels; the
        /// fold is the same per group and per stride, so this checks the same weights.
        case assumed = "assumed (state_dict)"
    }
}
