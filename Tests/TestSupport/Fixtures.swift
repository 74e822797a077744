import Foundation

/// Locates the committed fixtures and scratch space for tests.
public enum Fixtures {
    /// The repository's `fixtures/` folder, found from this file's location so tests run from any directory.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures")

    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// The fixtures beside which torch wrote its own float64 merge (`<name>.expected.pth`), which merge and verify
    /// are held to.
    public static let withTorchMerge = [
        "tiny_sd", "tiny_sd_f16", "tiny_sd_bf16", "tiny_sd_f64", "zero_dce", "train_checkpoint", "dataparallel_sd",
        "legacy_sd", "legacy_zero_dce", "whole_module", "legacy_whole_module", "cuda_location", "protocol4",
    ]

    /// The facts torch reported for `<name>.pth`, decoded from `<name>.facts.json`.
    public static func facts(_ name: String) throws -> TorchFacts {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).facts.json"))
        return try JSONDecoder().decode(TorchFacts.self, from: data)
    }

    /// A fresh empty directory under the system temporary directory, removed by the caller.
    public static func scratchDirectory(_ label: String = "merge-daconv-tests") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
