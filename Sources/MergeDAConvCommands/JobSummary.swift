import ArgumentParser
import Foundation

/// Where a command's Markdown summary goes: `--summary-md PATH` (written whole, like `--report`), and the
/// file GitHub Actions names in `GITHUB_STEP_SUMMARY`, which is appended to, as GitHub documents: each step
/// adds its part to the job's page. Nothing is rendered when neither is asked for.
enum JobSummary {
    /// The help of `--summary-md`, which merge and verify both take.
    static let optionHelp = ArgumentHelp(
        "Write a Markdown summary (the verdict, one table row per layer) to this file. With GITHUB_STEP_SUMMARY set, the same is appended there.",
        valueName: "path")

    static let environmentVariable = "GITHUB_STEP_SUMMARY"

    static func write(_ markdown: () -> String, to path: String?) throws {
        let github = ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard path != nil || github != nil else { return }
        let text = markdown()
        // `--summary-md "$GITHUB_STEP_SUMMARY"` must not replace what earlier steps wrote there.
        if let path, !sameFile(path, github) { try ReportFile.write(text: text, to: path) }
        if let github { try append(text, to: github) }
    }

    /// Appends after a blank line when the file already holds something, so the heading starts a block.
    private static func append(_ text: String, to path: String) throws {
        do {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw CocoaError(.fileWriteNoPermission)
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let end = try handle.seekToEnd()
            try handle.write(contentsOf: Data(((end > 0 ? "\n" : "") + text).utf8))
        } catch {
            ToolFailure.printError(
                "cannot append the job summary to \(path) (\(environmentVariable)): \(error.localizedDescription)")
            throw ExitCode(ToolFailure.writeFailed)
        }
    }

    private static func sameFile(_ path: String, _ other: String?) -> Bool {
        guard let other else { return false }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath() == URL(fileURLWithPath: other).resolvingSymlinksInPath()
    }
}
