/// The container a checkpoint is written in.
public enum CheckpointOutputFormat: String, CaseIterable, Sendable {
    /// torch's zip format (`torch.save`): the whole value tree, loadable with `torch.load`.
    case zip
    /// safetensors: one state dict of tensors, loadable with `safetensors.torch.load_file`.
    case safetensors

    /// The format an output path asks for: `.safetensors` (any case) is safetensors, anything else zip.
    public static func inferred(from path: String) -> CheckpointOutputFormat {
        path.lowercased().hasSuffix(".safetensors") ? .safetensors : .zip
    }

    /// The usual file name extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .zip: return "pth"
        case .safetensors: return "safetensors"
        }
    }
}
