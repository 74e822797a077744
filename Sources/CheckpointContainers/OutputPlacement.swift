#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts a finished temporary file in place of the destination, so the destination name only ever holds a
/// complete file: the output is written beside it under a hidden temporary name, then linked or renamed.
/// This is the one file of the module that calls the C library.
public enum OutputPlacement {
    /// A temporary name in the destination's folder (same file system, so the final rename is atomic),
    /// registered for removal should a signal end the process before ``place(_:at:replacing:)`` or
    /// ``remove(_:)`` (see `TerminationCleanup`). The name is random, so nobody else's file can bear it.
    public static func temporaryPath(beside destination: String) -> String {
        let slash = destination.lastIndex(of: "/")
        let folder = slash.map { String(destination[...$0]) } ?? ""
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let path = "\(folder).\(name).merge-daconv-\(token).tmp"
        TerminationCleanup.register(path)
        return path
    }

    /// Device and inode of an existing file, to tell whether two paths are the same file.
    public static func identity(of path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Moves `temporary` to `destination`. Without `replacing`, an existing destination is never touched:
    /// `link` fails atomically if the name is taken (no window between a check and the move).
    public static func place(_ temporary: String, at destination: String, replacing: Bool) throws {
        if replacing {
            guard rename(temporary, destination) == 0 else { throw failure("rename to", destination) }
            TerminationCleanup.forget(temporary)
            return
        }
        guard link(temporary, destination) == 0 else {
            let code = errno
            if code == EEXIST { throw OutputPlacementError.destinationExists(destination) }
            // Some file systems have no hard links: fall back to a checked rename.
            guard code == EPERM || code == EOPNOTSUPP || code == EXDEV else { throw failure("link to", destination, code) }
            guard !exists(destination) else { throw OutputPlacementError.destinationExists(destination) }
            guard rename(temporary, destination) == 0 else { throw failure("rename to", destination) }
            TerminationCleanup.forget(temporary)
            return
        }
        unlink(temporary)
        TerminationCleanup.forget(temporary)
    }

    /// Removes a leftover temporary file; errors are ignored because there is nothing better to do.
    public static func remove(_ path: String) {
        unlink(path)
        TerminationCleanup.forget(path)
    }

    private static func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> OutputPlacementError {
        .systemError(operation: operation, path: path, message: String(cString: strerror(code)))
    }
}

/// Why an output could not be put in place.
public enum OutputPlacementError: Error, Equatable, CustomStringConvertible {
    case destinationExists(String)
    case systemError(operation: String, path: String, message: String)

    public var description: String {
        switch self {
        case .destinationExists(let path): return "\(path) already exists (use --force to replace it)"
        case .systemError(let operation, let path, let message): return "cannot \(operation) \(path): \(message)"
        }
    }
}
