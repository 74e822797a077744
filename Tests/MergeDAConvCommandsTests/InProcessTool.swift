import Foundation
import MergeDAConvCommands
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a `merge-daconv` command line in this process, as the executable's main does, with standard output
/// and standard error sent to files for the duration, so command tests need no child process. Tests that
/// need a process of their own (signals, memory and time budgets) run the executable with ``ToolRunner``.
enum InProcessTool {
    private static let lock = NSLock()

    /// The same outcome ``ToolRunner/run(_:currentDirectory:environment:)`` gives for the executable.
    /// `environment` values are set for the call (an empty string unsets), then restored.
    static func run(_ arguments: [String], currentDirectory: URL? = nil, environment: [String: String] = [:]) throws
        -> ToolRunner.Outcome
    {
        lock.lock()
        defer { lock.unlock() }
        let folder = try Fixtures.scratchDirectory("merge-daconv-in-process")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        var variables = environment
        if variables["GITHUB_STEP_SUMMARY"] == nil { variables["GITHUB_STEP_SUMMARY"] = "" }
        let saved = variables.keys.map { ($0, ProcessInfo.processInfo.environment[$0]) }
        for (name, value) in variables { set(name, value.isEmpty ? nil : value) }
        defer { for (name, value) in saved { set(name, value) } }
        let previousDirectory = FileManager.default.currentDirectoryPath
        if let currentDirectory { _ = FileManager.default.changeCurrentDirectoryPath(currentDirectory.path) }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previousDirectory) }
        let status = try redirecting(stdout: outPath, stderr: errPath) { MergeDAConvCommand.status(running: arguments) }
        return ToolRunner.Outcome(
            status: status, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    private static func set(_ name: String, _ value: String?) {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }

    /// Points file descriptors 1 and 2 at the two files while `body` runs.
    private static func redirecting<T>(stdout outPath: String, stderr errPath: String, _ body: () -> T) throws -> T {
        fflush(Glibc.stdout)
        fflush(Glibc.stderr)
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let savedOut = dup(1)
        let savedErr = dup(2)
        guard out >= 0, err >= 0, savedOut >= 0, savedErr >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        dup2(out, 1)
        dup2(err, 2)
        let result = body()
        fflush(Glibc.stdout)
        fflush(Glibc.stderr)
        dup2(savedOut, 1)
        dup2(savedErr, 2)
        for descriptor in [out, err, savedOut, savedErr] { close(descriptor) }
        return result
    }
}
