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
