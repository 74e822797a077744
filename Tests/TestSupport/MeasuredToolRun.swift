import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `merge-daconv` in a child process and measures what it cost: wall time and peak
/// resident memory (from `wait4`), so hostile-input tests can hold it to a time and memory budget.
/// A child still running after `killAfter` seconds is killed (SIGKILL), so a hang fails the test
/// instead of hanging it. This is the one file of the test support that calls the C library.
public enum MeasuredToolRun {
    /// What the run printed and cost.
    public struct Outcome {
        /// Exit status, or 128 + signal number when the child was killed.
        public let status: Int32
        /// Everything the child printed on standard output and standard error.
        public let stdout: String
        public let stderr: String
        /// Wall time from start to exit.
        public let seconds: Double
        /// CPU time of the child (user and system): the cost of the run itself, whatever else the machine
        /// is busy with.
        public let cpuSeconds: Double
        /// Peak resident set size of the child, in bytes.
        public let peakBytes: Int
        /// Whether the child was killed for running past `killAfter`.
        public let timedOut: Bool
    }

    /// Runs the tool with `arguments`, killing it after `killAfter` seconds.
    public static func run(_ arguments: [String], killAfter: Double = 30) throws -> Outcome {
        let folder = try Fixtures.scratchDirectory("merge-daconv-measured")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outPath = folder.appendingPathComponent("stdout").path
        let errPath = folder.appendingPathComponent("stderr").path
        let start = Date()
        let pid = try spawn([ToolRunner.executable.path] + arguments, stdout: outPath, stderr: errPath)
        var status: Int32 = 0
        var usage = rusage()
        var timedOut = false
        while true {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { break }
            if waited < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            if !timedOut && Date().timeIntervalSince(start) > killAfter {
                _ = Glibc.kill(pid, SIGKILL)
                timedOut = true
            }
            usleep(2_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let signalled = status & 0x7F != 0
        let code = signalled ? 128 + (status & 0x7F) : (status >> 8) & 0xFF
        return Outcome(
            status: code, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "", seconds: seconds,
            cpuSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            peakBytes: Int(usage.ru_maxrss) * 1024, timedOut: timedOut)
    }

    /// Starts `argv` with stdout and stderr sent to files; returns its process id. SIGINT, SIGTERM and
    /// SIGHUP start with their default action, whatever this process (or the one running the tests) ignores.
    public static func spawn(_ argv: [String], stdout: String, stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    /// Sends `signal` to a process started by ``spawn(_:stdout:stderr:)`` and reaps it; returns the
    /// signal that ended it, or nil if it exited.
    @discardableResult
    public static func kill(_ pid: pid_t, signal: Int32) -> Int32? {
        _ = Glibc.kill(pid, signal)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        // WIFSIGNALED / WTERMSIG, which Swift does not import: the low 7 bits, neither 0 (exited) nor 0x7F (stopped).
        let signalled = status & 0x7F
        return signalled != 0 && signalled != 0x7F ? signalled : nil
    }
}
