internal import CMergeDAConvProcess
import Synchronization

/// Temporary files that Ctrl-C, a CI job's timeout (SIGTERM) or a closed terminal (SIGHUP) should not leave
/// behind: a merge writes its output under a hidden temporary name, half a gigabyte for a large model.
///
/// Files are registered while they exist under that name; once ``install()`` was called, those signals
/// remove every registered file, then end the process as they would have (the parent sees the signal).
/// SIGKILL cannot be caught: a file it interrupts stays.
public enum TerminationCleanup {
    private static let slots = Mutex<[String: Int64]>([:])

    /// Handles SIGINT, SIGTERM and SIGHUP where their action is the default (an ignored signal stays
    /// ignored, another handler stays in place); for programs that own their process, like the command-line
    /// tool. Returns whether all three are handled.
    @discardableResult
    public static func install() -> Bool {
        mdk_termination_install() == 3
    }

    /// Registers `path` for removal by those signals. A path too long for the table, or one more file than it
    /// holds (64), is not registered: the cleanup is best effort, the write itself is unaffected.
    public static func register(_ path: String) {
        slots.withLock { slots in
            guard slots[path] == nil else { return }
            let slot = mdk_termination_add(path)
            if slot >= 0 { slots[path] = slot }
        }
    }

    /// Forgets `path` (it was renamed or removed); nothing happens for a path that is not registered.
    public static func forget(_ path: String) {
        if let slot = slots.withLock({ $0.removeValue(forKey: path) }) { mdk_termination_remove(slot) }
    }

    /// How many files are registered now.
    public static var registeredCount: Int { Int(mdk_termination_count()) }
}
