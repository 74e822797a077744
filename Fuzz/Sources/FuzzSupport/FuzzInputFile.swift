#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fuzz input written to a file of this process's own, for readers that take a path (libzip, pread).
///
/// One file per process, rewritten for every input, so a campaign leaves a single small file behind.
public enum FuzzInputFile {
    /// `/tmp/merge-daconv-fuzz-<pid>.bin` (or under `$FUZZ_TMPDIR`).
    public static let path: String = {
        let folder = getenv("FUZZ_TMPDIR").map { String(cString: $0) } ?? "/tmp"
        return "\(folder)/merge-daconv-fuzz-\(getpid()).bin"
    }()

    /// Writes `count` bytes at `data` to ``path``, replacing what was there, and returns the path.
    public static func write(_ data: UnsafePointer<UInt8>, _ count: Int) -> String {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot create \(path)")
        defer { close(descriptor) }
        var written = 0
        while written < count {
            let result = Glibc.write(descriptor, data + written, count - written)
            precondition(result > 0, "cannot write \(path)")
            written += result
        }
        return path
    }
}
